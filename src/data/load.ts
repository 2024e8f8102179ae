// Loads a dataset folder into memory: reads the four IDX files, checks shapes, counts, labels, which dataset it is and optionally SHA-256.
import { join } from 'node:path';
import { badArgument, LabError } from '../errors.js';
import { DATASETS, type DatasetFile } from './datasets.js';
import { parseIdx, type IdxArray } from './idx.js';
import { readIdxBytes } from './idx-file.js';
import { brokenDataLink, findDataFile } from './locate.js';
import { catalogueEntry, checkSha256 } from './verify.js';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS, type Dataset, type DatasetName, type DigitSet } from './types.js';

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

const REFETCH = 'replace the file: `mnist-lab data fetch` downloads and verifies it';

/** Reads one catalogue file from `dir` (raw or .gz) and returns its path and decoded array; `checks` say what else to check. */
async function readDataFile(
  dir: string,
  file: DatasetFile,
  checks: { verify: boolean; identifyAs?: DatasetName },
): Promise<{ path: string; arr: IdxArray }> {
  const path = findDataFile(dir, file.name);
  if (path === undefined) {
    const link = brokenDataLink(dir, file.name);
    throw new LabError('DATA_NOT_FOUND', link ? join(dir, link) : `${join(dir, file.name)}(.gz) does not exist`, {
      hint: link
        ? 'point the link at the file, or replace it with the file itself (`mnist-lab data fetch` downloads it)'
        : 'run `mnist-lab data fetch`, or pass --data-dir with the folder holding the four IDX files',
    });
  }
  const bytes = await readIdxBytes(path);
  if (checks.identifyAs) checkDatasetIs(checks.identifyAs, bytes, path);
  if (checks.verify) checkSha256(bytes, file, path);
  return { path, arr: parseIdx(bytes, path) };
}

/**
 * Refuses the files of another catalogued dataset, e.g. MNIST in a --data-dir loaded as Fashion-MNIST (same names,
 * same shapes). The labels files are enough to tell, and small (70 KB together): hashing them costs well under a
 * millisecond, where the images would cost a tenth of a second.
 */
function checkDatasetIs(dataset: DatasetName, bytes: Uint8Array, path: string): void {
  const entry = catalogueEntry(bytes);
  if (entry === undefined || entry.dataset.name === dataset) return;
  throw new LabError('BAD_ARGUMENT', `expected ${dataset} data, but ${path} is the ${entry.dataset.name} dataset's ${entry.file.name} (by its SHA-256)`, {
    hint: `pass --dataset ${entry.dataset.name}, or a --data-dir that holds the ${DATASETS[dataset].title} files`,
  });
}

function checkImages(path: string, arr: IdxArray): Uint8Array {
  const [, rows, cols] = arr.shape;
  if (arr.dtype !== 'uint8' || arr.shape.length !== 3 || rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new LabError(
      'BAD_DATA_FILE',
      `${path}: images must be uint8 [count, ${IMAGE_SIZE}, ${IMAGE_SIZE}]; found ${arr.dtype} [${arr.shape.join(', ')}]`,
      { hint: `is this an images file? ${REFETCH}` },
    );
  }
  if (arr.shape[0] === 0) throw emptyFile(path, 'images');
  return arr.data;
}

/** A valid IDX file with a count of 0: nothing to train on or to measure with. */
function emptyFile(path: string, what: 'images' | 'labels'): LabError {
  return new LabError('BAD_DATA_FILE', `${path}: holds no ${what} (its count is 0); a data file needs at least one`, { hint: REFETCH });
}

function checkLabels(path: string, arr: IdxArray): Uint8Array {
  if (arr.dtype !== 'uint8' || arr.shape.length !== 1) {
    throw new LabError('BAD_DATA_FILE', `${path}: labels must be uint8 [count]; found ${arr.dtype} [${arr.shape.join(', ')}]`, {
      hint: `is this a labels file? ${REFETCH}`,
    });
  }
  const labels = arr.data;
  if (labels.length === 0) throw emptyFile(path, 'labels');
  const bad = labels.findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) {
    throw new LabError(
      'BAD_DATA_FILE',
      `${path}: label at index ${bad} is ${labels[bad]}; labels must be 0-${NUM_CLASSES - 1}`,
      { hint: REFETCH },
    );
  }
  return labels;
}

function checkLimit(name: string, limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw badArgument(name, 'a positive integer', limit, 'leave it out to use every digit');
  }
}

/** Reads an images + labels pair into a DigitSet of at most `limit` digits (views, no copies). */
async function loadSplit(dir: string, dataset: DatasetName, images: DatasetFile, labels: DatasetFile, verify: boolean, limit?: number): Promise<DigitSet> {
  const [img, lab] = await Promise.all([
    readDataFile(dir, images, { verify }),
    // The labels files are the ones that say cheaply which dataset the folder holds.
    readDataFile(dir, labels, { verify, identifyAs: dataset }),
  ]);
  const pixels = checkImages(img.path, img.arr);
  const labelBytes = checkLabels(lab.path, lab.arr);
  const imageCount = img.arr.shape[0];
  if (imageCount !== labelBytes.length) {
    throw new LabError(
      'BAD_DATA_FILE',
      `${img.path} holds ${imageCount} images but ${lab.path} holds ${labelBytes.length} labels; the counts must match`,
      { hint: `the two files come from different sets or one is damaged; ${REFETCH}` },
    );
  }
  const count = Math.min(imageCount, limit ?? imageCount);
  return { images: pixels.subarray(0, count * PIXELS), labels: labelBytes.subarray(0, count), count };
}

/** Loads train and test sets of `dataset` from `dir` (see locateDataDir), validated. */
export async function loadDataset(options: LoadOptions): Promise<Dataset> {
  const { dir, dataset, limit, testLimit, verify = false } = options;
  checkLimit('--limit', limit);
  checkLimit('--test-limit', testLimit);
  const { files, classNames } = DATASETS[dataset];
  const [train, test] = await Promise.all([
    loadSplit(dir, dataset, files.trainImages, files.trainLabels, verify, limit),
    loadSplit(dir, dataset, files.testImages, files.testLabels, verify, testLimit),
  ]);
  return { name: dataset, dir, train, test, classNames };
}
