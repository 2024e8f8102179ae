// The prediction cell's digits as grids: which test digits (mistakes first), in which order, which captions red.
import { PIXELS, type DigitSet } from '../data/types.js';
import { mistakesFirst } from './analysis.js';
import type { Caption, DigitGridSpec } from './digit-grid.js';
import type { FontDigits } from './font-digits.js';

/** display_top_unrecognized's n and lines: 168 digits. */
export const GRID_PER_ROW = 24;
export const GRID_ROWS = 7;

/** The digits at `indices`, copied into one contiguous block. */
export function pickImages(set: DigitSet, indices: readonly number[]): Uint8Array {
  const images = new Uint8Array(indices.length * PIXELS);
  indices.forEach((index, i) => images.set(set.images.subarray(index * PIXELS, (index + 1) * PIXELS), i * PIXELS));
  return images;
}

export const labelCaptions = (labels: ArrayLike<number>): Caption[][] => Array.from(labels, (label) => [{ text: String(label), wrong: false }]);

const predictionCaptions = (predicted: ArrayLike<number>, labels: ArrayLike<number>): Caption[][] =>
  Array.from(predicted, (p, i) => [{ text: String(p), wrong: p !== labels[i] }]);

/**
 * The first GRID_PER_ROW × GRID_ROWS validation digits with the mistakes sorted first, each with the model's answer
 * under it, the wrong ones in red.
 */
export function predictionGrid(test: DigitSet, predicted: Uint8Array, perRow = GRID_PER_ROW, title?: string): DigitGridSpec {
  const shown = mistakesFirst(test.labels, predicted).slice(0, GRID_PER_ROW * GRID_ROWS);
  return {
    images: pickImages(test, shown),
    count: shown.length,
    captions: predictionCaptions(
      shown.map((i) => predicted[i]),
      shown.map((i) => test.labels[i]),
    ),
    perRow,
    title,
  };
}

/** The font digits in one row, the model's answers under them, the wrong ones in red. */
export function fontDigitsGrid(font: FontDigits, predicted: Uint8Array, title?: string): DigitGridSpec {
  return { images: font.images, count: font.count, captions: predictionCaptions(predicted, font.labels), perRow: font.count, title };
}
