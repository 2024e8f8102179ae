// SHA-256 of decompressed IDX bytes against the dataset catalogue (and which catalogued file they are), with WebCrypto.
import { LabError } from '../errors.js';
import { DATASET_NAMES, DATASETS, FILE_ROLES, type DatasetFile, type DatasetInfo } from './datasets.js';

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

/** The catalogued dataset and file the bytes are (by SHA-256), if any. */
export async function catalogueEntry(bytes: Uint8Array): Promise<{ dataset: DatasetInfo; file: DatasetFile } | undefined> {
  const found = await sha256Hex(bytes);
  for (const name of DATASET_NAMES) {
    const file = FILE_ROLES.map((role) => DATASETS[name].files[role]).find((f) => f.sha256 === found);
    if (file) return { dataset: DATASETS[name], file };
  }
  return undefined;
}
