// SHA-256 verification of decompressed IDX bytes against the dataset catalogue, with WebCrypto (Node and browsers).
import { LabError } from '../errors.js';
import type { DatasetFile } from './datasets.js';

/**
 * SHA-256 hex digest of bytes. WebCrypto's `crypto.subtle` is in Node 20 and in every browser page or worker
 * served over https or from localhost (a secure context); callers elsewhere check for it first.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // IDX bytes come from files and responses, never from shared memory, which digest() refuses.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Rejects with CHECKSUM_MISMATCH naming `source` when the bytes are not the catalogue's `file`. */
export async function checkSha256(bytes: Uint8Array, file: DatasetFile, source: string): Promise<void> {
  const found = await sha256Hex(bytes);
  if (found !== file.sha256) {
    throw new LabError('CHECKSUM_MISMATCH', `${source}: SHA-256 of the decompressed data is ${found}, expected ${file.sha256} (${file.name})`, {
      hint: 'replace the file: `mnist-lab data fetch` downloads and verifies it',
    });
  }
}
