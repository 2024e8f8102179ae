// Shapes of the data that flows from the IDX files to the training pipeline, and the sets' sizes.

export type DatasetName = 'mnist' | 'fashion';

/** A set of 28×28 greyscale digits as raw bytes, as stored in the IDX files. */
export interface DigitSet {
  /** count × 28 × 28 bytes, row-major, 0 = background. */
  images: Uint8Array;
  /** count labels, each 0-9. */
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  /** Folder the files were read from. */
  dir: string;
  train: DigitSet;
  /** The 10k t10k set: the codelab's "validation" data is this test set. */
  test: DigitSet;
  classNames: readonly string[];
}

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

/** The MNIST-format sets' sizes (both datasets): 60,000 training and 10,000 test digits. */
export const SET_SIZES = { train: 60_000, test: 10_000 } as const;

/** The first `count` digits of a set (views, no copies); a larger count keeps them all. */
export function firstDigits(set: DigitSet, count: number): DigitSet {
  const n = Math.min(count, set.count);
  return { images: set.images.subarray(0, n * PIXELS), labels: set.labels.subarray(0, n), count: n };
}
