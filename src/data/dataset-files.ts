// A dataset's four IDX files → checked train and test DigitSets, read through a reader the caller plugs in (disk, fetch).
import { badArgument, LabError } from '../errors.js';
import { DATASETS, type DatasetFile } from './datasets.js';
import { parseIdx, type IdxArray } from './idx.js';
import { catalogueEntry, checkSha256 } from './verify.js';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS, type Dataset, type DatasetName, type DigitSet } from './types.js';

/** One catalogue file's decompressed IDX bytes; `source` (a path or URL) names it in errors. */
export interface DataFileBytes {
  source: string;
  bytes: Uint8Array;
}

/** Reads one of the dataset's files, decompressed; rejects with DATA_NOT_FOUND or BAD_DATA_FILE naming it. */
export type DataFileReader = (file: DatasetFile) => Promise<DataFileBytes>;

export interface ReadDatasetOptions {
  dataset: DatasetName;
  read: DataFileReader;
  /** Where the files come from (a folder or base URL), kept as the Dataset's `dir`. */
  from: string;
  /** Keep only the first N training digits (tiny runs); larger than the set keeps all. */
  limit?: number;
  /** Keep only the first N test digits. */
  testLimit?: number;
  /** Check the SHA-256 of each decompressed file against the catalogue (CHECKSUM_MISMATCH otherwise). */
  verify?: boolean;
}

const REFETCH = 'replace the file: `mnist-lab data fetch` downloads and verifies it';

/** Reads one file and parses it; `checks` say what else to check. */
async function readDataFile(
  read: DataFileReader,
  file: DatasetFile,
  checks: { verify: boolean; identifyAs?: DatasetName },
): Promise<{ source: string; arr: IdxArray }> {
  const { source, bytes } = await read(file);
  if (checks.identifyAs) await checkDatasetIs(checks.identifyAs, bytes, source);
  if (checks.verify) await checkSha256(bytes, file, source);
  return { source, arr: parseIdx(bytes, source) };
}

/**
 * Refuses the files of another catalogued dataset, e.g. MNIST in a --data-dir loaded as Fashion-MNIST (same names,
 * same shapes). The labels files are enough to tell, and small (70 KB together): hashing them costs well under a
 * millisecond, where the images would cost a tenth of a second.
 */
async function checkDatasetIs(dataset: DatasetName, bytes: Uint8Array, source: string): Promise<void> {
  const entry = await catalogueEntry(bytes);
  if (entry === undefined || entry.dataset.name === dataset) return;
  throw new LabError('BAD_ARGUMENT', `expected ${dataset} data, but ${source} is the ${entry.dataset.name} dataset's ${entry.file.name} (by its SHA-256)`, {
    hint: `pass --dataset ${entry.dataset.name}, or a --data-dir that holds the ${DATASETS[dataset].title} files`,
  });
}

/** A valid IDX file with a count of 0: nothing to train on or to measure with. */
function emptyFile(source: string, what: 'images' | 'labels'): LabError {
  return new LabError('BAD_DATA_FILE', `${source}: holds no ${what} (its count is 0); a data file needs at least one`, { hint: REFETCH });
}

function checkImages(source: string, arr: IdxArray): Uint8Array {
  const [, rows, cols] = arr.shape;
  if (arr.dtype !== 'uint8' || arr.shape.length !== 3 || rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new LabError(
      'BAD_DATA_FILE',
      `${source}: images must be uint8 [count, ${IMAGE_SIZE}, ${IMAGE_SIZE}]; found ${arr.dtype} [${arr.shape.join(', ')}]`,
      { hint: `is this an images file? ${REFETCH}` },
    );
  }
  if (arr.shape[0] === 0) throw emptyFile(source, 'images');
  return arr.data;
}

function checkLabels(source: string, arr: IdxArray): Uint8Array {
  if (arr.dtype !== 'uint8' || arr.shape.length !== 1) {
    throw new LabError('BAD_DATA_FILE', `${source}: labels must be uint8 [count]; found ${arr.dtype} [${arr.shape.join(', ')}]`, {
      hint: `is this a labels file? ${REFETCH}`,
    });
  }
  const labels = arr.data;
  if (labels.length === 0) throw emptyFile(source, 'labels');
  const bad = labels.findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) {
    throw new LabError(
      'BAD_DATA_FILE',
      `${source}: label at index ${bad} is ${labels[bad]}; labels must be 0-${NUM_CLASSES - 1}`,
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
async function readSplit(
  read: DataFileReader,
  dataset: DatasetName,
  files: { images: DatasetFile; labels: DatasetFile },
  verify: boolean,
  limit?: number,
): Promise<DigitSet> {
  const [img, lab] = await Promise.all([
    readDataFile(read, files.images, { verify }),
    // The labels files are the ones that say cheaply which dataset the folder holds.
    readDataFile(read, files.labels, { verify, identifyAs: dataset }),
  ]);
  const pixels = checkImages(img.source, img.arr);
  const labelBytes = checkLabels(lab.source, lab.arr);
  const imageCount = img.arr.shape[0];
  if (imageCount !== labelBytes.length) {
    throw new LabError(
      'BAD_DATA_FILE',
      `${img.source} holds ${imageCount} images but ${lab.source} holds ${labelBytes.length} labels; the counts must match`,
      { hint: `the two files come from different sets or one is damaged; ${REFETCH}` },
    );
  }
  const count = Math.min(imageCount, limit ?? imageCount);
  return { images: pixels.subarray(0, count * PIXELS), labels: labelBytes.subarray(0, count), count };
}

/** Reads train and test sets of `dataset` through `read`, validated. */
export async function readDataset(options: ReadDatasetOptions): Promise<Dataset> {
  const { dataset, read, from, limit, testLimit, verify = false } = options;
  checkLimit('--limit', limit);
  checkLimit('--test-limit', testLimit);
  const { files, classNames } = DATASETS[dataset];
  const [train, test] = await Promise.all([
    readSplit(read, dataset, { images: files.trainImages, labels: files.trainLabels }, verify, limit),
    readSplit(read, dataset, { images: files.testImages, labels: files.testLabels }, verify, testLimit),
  ]);
  return { name: dataset, dir: from, train, test, classNames };
}
