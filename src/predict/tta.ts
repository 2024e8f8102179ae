// Test-time augmentation: each image's class probabilities averaged over a few fixed, deterministic transforms of it.
import { IDENTITY, warpDigit, type DigitTransform } from '../data/augment.js';
import { NUM_CLASSES, PIXELS } from '../data/types.js';
import { badArgument } from '../errors.js';

/** The default variants: the image itself and its 1-pixel shifts right, left, down and up. */
export const TTA_SHIFTS: readonly DigitTransform[] = Object.freeze([
  IDENTITY,
  { ...IDENTITY, dx: 1 },
  { ...IDENTITY, dx: -1 },
  { ...IDENTITY, dy: 1 },
  { ...IDENTITY, dy: -1 },
]);

/** A model's probabilities: count × 784 images in, count × 10 probabilities out (Predictor.probabilities). */
export type ProbabilitiesFn = (images: Float32Array, count: number) => Float32Array;

/**
 * count × 10 probabilities: the mean over `variants` of `probabilities` of the images each transformed by the
 * variant (warpDigit; whole-pixel shifts move pixels exactly and bring in background). Pure and deterministic: the
 * same images and model give the same answer. With only the identity it is `probabilities(images, count)`.
 */
export function ttaProbabilities(
  images: Float32Array,
  count: number,
  probabilities: ProbabilitiesFn,
  variants: readonly DigitTransform[] = TTA_SHIFTS,
): Float32Array {
  if (!Number.isInteger(count) || count < 0 || images.length !== count * PIXELS) {
    throw badArgument('images', `count × ${PIXELS} floats`, { count, floats: images.length });
  }
  if (variants.length === 0) throw badArgument('variants', 'at least one transform', variants.length, 'pass [IDENTITY] for none');
  const sum = new Float64Array(count * NUM_CLASSES);
  const variant = new Float32Array(images.length);
  for (const transform of variants) {
    for (let i = 0; i < count; i++) warpDigit(images, i * PIXELS, transform, variant, i * PIXELS);
    const probs = probabilities(variant, count);
    if (probs.length !== sum.length) throw badArgument('probabilities', `${count} × ${NUM_CLASSES} values`, probs.length);
    for (let j = 0; j < sum.length; j++) sum[j] += probs[j];
  }
  return Float32Array.from(sum, (s) => s / variants.length);
}
