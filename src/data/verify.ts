// SHA-256 verification of decompressed IDX bytes against the dataset catalogue, and which catalogued file some bytes are.
import { createHash } from 'node:crypto';
import { LabError } from '../errors.js';
import { DATASET_NAMES, DATASETS, FILE_ROLES, type DatasetFile, type DatasetInfo } from './datasets.js';

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

/** The catalogued dataset and file the bytes are (by SHA-256), if any. */
export function catalogueEntry(bytes: Uint8Array): { dataset: DatasetInfo; file: DatasetFile } | undefined {
  const found = sha256Hex(bytes);
  for (const name of DATASET_NAMES) {
    const file = FILE_ROLES.map((role) => DATASETS[name].files[role]).find((f) => f.sha256 === found);
    if (file) return { dataset: DATASETS[name], file };
  }
  return undefined;
}
