// Random affine augmentation of 28×28 digits (shift, rotation, scaling about the centre), bilinear, seeded by an Rng.
import { badArgument } from '../errors.js';
import type { Rng } from '../util/rng.js';
import { IMAGE_SIZE } from './types.js';

/**
 * How far the random transform of each training digit may go. Every field defaults to 0, which turns that part
 * off; all three at 0 is no augmentation at all. Chris Deotte's 99.64% MNIST CNNs used about
 * `{ shift: 2.8, rotate: 10, scale: 0.1 }` (Keras's ImageDataGenerator with shift ranges 0.1, rotation 10, zoom 0.1).
 */
export interface AugmentOptions {
  /** Largest shift in pixels along each axis; each digit's dx and dy are uniform in [-shift, shift]. */
  shift?: number;
  /** Largest rotation in degrees; each digit's angle is uniform in [-rotate, rotate]. */
  rotate?: number;
  /** Largest scaling as a fraction; each digit's zoom is uniform in [1 - scale, 1 + scale]. */
  scale?: number;
}

/** AugmentOptions with every field filled in. */
export type AugmentSettings = Required<AugmentOptions>;

/** No augmentation: the default. */
export const NO_AUGMENT: AugmentSettings = Object.freeze({ shift: 0, rotate: 0, scale: 0 });

const LIMITS: Record<keyof AugmentSettings, { max: number; rule: string }> = {
  shift: { max: IMAGE_SIZE / 2, rule: `a number of pixels in 0-${IMAGE_SIZE / 2}` },
  rotate: { max: 180, rule: 'a number of degrees in 0-180' },
  scale: { max: 0.9, rule: 'a fraction in 0-0.9' },
};

/** Checks augmentation options (unknown keys and out-of-range values are errors naming the field) and fills defaults. */
export function augmentSettings(options: AugmentOptions | undefined): AugmentSettings {
  if (options === undefined) return NO_AUGMENT;
  const known = (key: string): key is keyof AugmentSettings => Object.hasOwn(LIMITS, key);
  if (typeof options !== 'object' || options === null || Array.isArray(options) || !Object.keys(options).every(known)) {
    throw badArgument('augment', 'an object with only shift, rotate and scale', options, 'e.g. { shift: 2, rotate: 10, scale: 0.1 }');
  }
  const settings = { ...NO_AUGMENT };
  for (const key of Object.keys(LIMITS) as (keyof AugmentSettings)[]) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= LIMITS[key].max)) {
      throw badArgument(`augment.${key}`, LIMITS[key].rule, value);
    }
    settings[key] = value;
  }
  return settings;
}

/** True when the settings change digits at all. */
export function isAugmenting(settings: AugmentSettings): boolean {
  return settings.shift > 0 || settings.rotate > 0 || settings.scale > 0;
}

/**
 * One affine transform of a digit about the image centre: scale by `zoom`, rotate by `angle` degrees
 * (counter-clockwise as the image is shown, rows going down), then move by (dx, dy) pixels (right, down).
 */
export interface DigitTransform {
  dx: number;
  dy: number;
  angle: number;
  zoom: number;
}

/** The transform that leaves a digit as it is. */
export const IDENTITY: DigitTransform = Object.freeze({ dx: 0, dy: 0, angle: 0, zoom: 1 });

/**
 * A random transform within `settings`. It always draws four numbers from `rng` (dx, dy, angle, zoom, in that
 * order), so turning one part on or off leaves the draws of the others where they were.
 */
export function drawTransform(rng: Rng, settings: AugmentSettings): DigitTransform {
  const symmetric = (limit: number): number => (2 * rng.next() - 1) * limit;
  return { dx: symmetric(settings.shift), dy: symmetric(settings.shift), angle: symmetric(settings.rotate), zoom: 1 + symmetric(settings.scale) };
}

const CENTRE = (IMAGE_SIZE - 1) / 2;
const DEGREES = Math.PI / 180;

/**
 * Writes the 784 pixels of `src` from `srcOffset`, transformed and multiplied by `valueScale`, to `dst` from
 * `dstOffset`. Each output pixel samples the source bilinearly at the inverse-transformed position; outside the
 * image the source is background (0). The identity and whole-pixel shifts sample exact pixel positions, so they
 * copy values exactly (pixels shifted in from outside are 0).
 */
export function warpDigit(
  src: ArrayLike<number>,
  srcOffset: number,
  transform: DigitTransform,
  dst: Float32Array,
  dstOffset: number,
  valueScale = 1,
): void {
  // Inverse map: source = C + R(-angle) (out - C - d) / zoom, as sx = m00*x + m01*y + ox, sy = m10*x + m11*y + oy.
  const cos = Math.cos(transform.angle * DEGREES) / transform.zoom;
  const sin = Math.sin(transform.angle * DEGREES) / transform.zoom;
  const [m00, m01, m10, m11] = [cos, -sin, sin, cos];
  const cx = CENTRE + transform.dx;
  const cy = CENTRE + transform.dy;
  const ox = CENTRE - m00 * cx - m01 * cy;
  const oy = CENTRE - m10 * cx - m11 * cy;
  const last = IMAGE_SIZE - 1;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    const rowX = m01 * y + ox;
    const rowY = m11 * y + oy;
    const out = dstOffset + y * IMAGE_SIZE;
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const sx = m00 * x + rowX;
      const sy = m10 * x + rowY;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      let p00 = 0;
      let p10 = 0;
      let p01 = 0;
      let p11 = 0;
      if (x0 >= 0 && x0 < last && y0 >= 0 && y0 < last) {
        // All four neighbours inside: the common case.
        const i = srcOffset + y0 * IMAGE_SIZE + x0;
        p00 = src[i];
        p10 = src[i + 1];
        p01 = src[i + IMAGE_SIZE];
        p11 = src[i + IMAGE_SIZE + 1];
      } else if (x0 >= -1 && x0 <= last && y0 >= -1 && y0 <= last) {
        // On the border: neighbours outside the image are background.
        const i = srcOffset + y0 * IMAGE_SIZE + x0;
        if (y0 >= 0 && x0 >= 0) p00 = src[i];
        if (y0 >= 0 && x0 < last) p10 = src[i + 1];
        if (y0 < last && x0 >= 0) p01 = src[i + IMAGE_SIZE];
        if (y0 < last && x0 < last) p11 = src[i + IMAGE_SIZE + 1];
      } else {
        dst[out + x] = 0;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      dst[out + x] = ((1 - fy) * ((1 - fx) * p00 + fx * p10) + fy * ((1 - fx) * p01 + fx * p11)) * valueScale;
    }
  }
}
