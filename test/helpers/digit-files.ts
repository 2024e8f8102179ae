// Tiny datasets for the data tests, written by our own IDX writer; each digit's pixels encode its index.
import { join } from 'node:path';
import { writeIdxFile } from '../../src/data/idx-file.js';
import { DATASETS } from '../../src/data/datasets.js';
import type { IdxArray } from '../../src/data/idx.js';
import { IMAGE_SIZE, PIXELS, type DatasetName, type DigitSet } from '../../src/data/types.js';

/**
 * `count` digits where digit i has pixel 0 = i % 256, pixel 1 = floor(i / 256) % 256, pixel 2 = floor(i / 65536),
 * every other pixel = (i * 7 + p) % 256, and label i % 10.
 */
export function indexedDigits(count: number): DigitSet {
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * PIXELS;
    images[o] = i % 256;
    images[o + 1] = Math.floor(i / 256) % 256;
    images[o + 2] = Math.floor(i / 65536);
    for (let p = 3; p < PIXELS; p++) images[o + p] = (i * 7 + p) % 256;
    labels[i] = i % 10;
  }
  return { images, labels, count };
}

/** The digit index encoded in row k of a batch's xs (pixels / 256). */
export function decodeIndex(xs: Float32Array, k: number): number {
  const o = k * PIXELS;
  return Math.round(xs[o] * 256) + 256 * Math.round(xs[o + 1] * 256) + 65536 * Math.round(xs[o + 2] * 256);
}

/** Writes a dataset folder with indexedDigits train/test sets under the catalogue's file names. */
export async function writeDataset(
  dir: string,
  options: { dataset?: DatasetName; train?: number; test?: number; gzip?: boolean } = {},
): Promise<void> {
  const { dataset = 'mnist', train = 30, test = 12, gzip = true } = options;
  const files = DATASETS[dataset].files;
  const path = (name: string) => join(dir, gzip ? `${name}.gz` : name);
  const trainSet = indexedDigits(train);
  const testSet = indexedDigits(test);
  await writeIdxFile(path(files.trainImages.name), imagesArray(trainSet), { gzip });
  await writeIdxFile(path(files.trainLabels.name), labelsArray(trainSet), { gzip });
  await writeIdxFile(path(files.testImages.name), imagesArray(testSet), { gzip });
  await writeIdxFile(path(files.testLabels.name), labelsArray(testSet), { gzip });
}

/** The IDX array of a set's images / labels. */
export const imagesArray = (set: DigitSet): IdxArray => ({
  dtype: 'uint8',
  shape: [set.count, IMAGE_SIZE, IMAGE_SIZE],
  data: set.images,
});

export const labelsArray = (set: DigitSet): IdxArray => ({ dtype: 'uint8', shape: [set.count], data: set.labels });
