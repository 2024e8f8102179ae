// Loads a dataset folder into memory: reads the four IDX files from disk (raw or .gz) and checks them (dataset-files.ts).
import { join } from 'node:path';
import { LabError } from '../errors.js';
import type { DatasetFile } from './datasets.js';
import { readDataset, type DataFileBytes } from './dataset-files.js';
import { readIdxBytes } from './idx-file.js';
import { brokenDataLink, findDataFile } from './locate.js';
import type { Dataset, DatasetName } from './types.js';

/** Where `loadDataset` reads: the data folder, the dataset and how many digits to keep of each set. */
export interface LoadOptions {
  dir: string;
  dataset: DatasetName;
  /** Keep only the first N training digits (tiny runs); larger than the set keeps all. */
  limit?: number;
  /** Keep only the first N test digits. */
  testLimit?: number;
  /** Check the SHA-256 of each decompressed file against the catalogue (CHECKSUM_MISMATCH otherwise). */
  verify?: boolean;
}

/** Reads one catalogue file from `dir` (raw or .gz), decompressed. */
async function readFromDir(dir: string, file: DatasetFile): Promise<DataFileBytes> {
  const path = findDataFile(dir, file.name);
  if (path === undefined) {
    const link = brokenDataLink(dir, file.name);
    throw new LabError('DATA_NOT_FOUND', link ? join(dir, link) : `${join(dir, file.name)}(.gz) does not exist`, {
      hint: link
        ? 'point the link at the file, or replace it with the file itself (`mnist-lab data fetch` downloads it)'
        : 'run `mnist-lab data fetch`, or pass --data-dir with the folder holding the four IDX files',
    });
  }
  return { source: path, bytes: await readIdxBytes(path) };
}

/** Loads train and test sets of `dataset` from `dir` (see locateDataDir), validated. */
export async function loadDataset(options: LoadOptions): Promise<Dataset> {
  const { dir, ...rest } = options;
  return readDataset({ ...rest, from: dir, read: (file) => readFromDir(dir, file) });
}
