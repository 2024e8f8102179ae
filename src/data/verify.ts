// SHA-256 verification of decompressed IDX bytes against the dataset catalogue.
import { createHash } from 'node:crypto';
import { LabError } from '../errors.js';
import type { DatasetFile } from './datasets.js';

/** SHA-256 hex digest of bytes. */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Throws CHECKSUM_MISMATCH naming `source` when the bytes are not the catalogue's `file`. */
export function checkSha256(bytes: Uint8Array, file: DatasetFile, source: string): void {
  const found = sha256Hex(bytes);
  if (found !== file.sha256) {
    throw new LabError('CHECKSUM_MISMATCH', `${source}: SHA-256 of the decompressed data is ${found}, expected ${file.sha256} (${file.name})`, {
      hint: 'replace the file: `mnist-lab data fetch` downloads and verifies it',
    });
  }
}
