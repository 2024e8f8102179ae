// One digit of a flat pixel array as the 28 rows of 28 numbers the prediction API and digits.json take; browser-safe.
import { IMAGE_SIZE, PIXELS } from '../data/types.js';

/** Rows of the `index`-th 28×28 image in `pixels` (row-major, PIXELS floats per image). */
export function imageRows(pixels: Float32Array, index = 0): number[][] {
  const start = index * PIXELS;
  return Array.from({ length: IMAGE_SIZE }, (_, y) => Array.from(pixels.subarray(start + y * IMAGE_SIZE, start + (y + 1) * IMAGE_SIZE)));
}
