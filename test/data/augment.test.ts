// Digit augmentation against a plain-loop reference: identity and whole-pixel shifts are exact, rotation turns the
// way it says, random transforms stay in range, and options are checked.
import { describe, expect, it } from 'vitest';
import {
  augmentSettings,
  drawTransform,
  IDENTITY,
  isAugmenting,
  NO_AUGMENT,
  warpDigit,
  type DigitTransform,
} from '../../src/data/augment.js';
import { IMAGE_SIZE, PIXELS } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';
import { expectAllClose } from '../helpers/allclose.js';

const N = IMAGE_SIZE;

/** A digit of random bytes with a blank border, as MNIST digits have. */
function randomDigit(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const digit = new Uint8Array(PIXELS);
  for (let y = 2; y < N - 2; y++) for (let x = 2; x < N - 2; x++) digit[y * N + x] = rng.int(256);
  return digit;
}

function warp(src: ArrayLike<number>, transform: DigitTransform, valueScale = 1): Float32Array {
  const out = new Float32Array(PIXELS);
  warpDigit(src, 0, transform, out, 0, valueScale);
  return out;
}

/**
 * Reference: build the forward map out = C + zoom · R · (in - C) + d as a matrix, invert it with the 2×2 formula,
 * and sample bilinearly pixel by pixel, reading 0 outside the image.
 */
function referenceWarp(src: ArrayLike<number>, t: DigitTransform): Float32Array {
  const c = (N - 1) / 2;
  const theta = (t.angle * Math.PI) / 180;
  // Counter-clockwise on screen with rows going down: (x, y) → (x cos + y sin, -x sin + y cos).
  const [a, b, cc, d] = [t.zoom * Math.cos(theta), t.zoom * Math.sin(theta), -t.zoom * Math.sin(theta), t.zoom * Math.cos(theta)];
  const det = a * d - b * cc;
  const at = (x: number, y: number): number => (x >= 0 && x < N && y >= 0 && y < N ? src[y * N + x] : 0);
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const u = x - c - t.dx;
      const v = y - c - t.dy;
      const sx = c + (d * u - b * v) / det;
      const sy = c + (-cc * u + a * v) / det;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      out[y * N + x] =
        at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
    }
  }
  return out;
}

describe('warpDigit', () => {
  const digit = randomDigit(1);

  it('returns the input exactly under the identity, for bytes and floats, with the value scale applied', () => {
    expect(warp(digit, IDENTITY)).toEqual(Float32Array.from(digit));
    expect(warp(digit, IDENTITY, 1 / 256)).toEqual(Float32Array.from(digit, (v) => v * (1 / 256)));
    const floats = Float32Array.from(digit, (v) => v / 255);
    expect(warp(floats, IDENTITY)).toEqual(floats);
  });

  it('moves pixels exactly by whole-pixel shifts, bringing in background', () => {
    const full = Uint8Array.from({ length: PIXELS }, (_, p) => 1 + (p % 250)); // no blank border: edges must fill with 0
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1], [2, -3]]) {
      const expected = new Float32Array(PIXELS);
      for (let y = 0; y < N; y++) {
        for (let x = 0; x < N; x++) {
          const [sx, sy] = [x - dx, y - dy];
          expected[y * N + x] = sx >= 0 && sx < N && sy >= 0 && sy < N ? full[sy * N + sx] : 0;
        }
      }
      expect(warp(full, { ...IDENTITY, dx, dy }), `shift ${dx},${dy}`).toEqual(expected);
    }
  });

  it('rotates counter-clockwise as shown: 90° sends the right column to the top row', () => {
    const rotated = warp(digit, { ...IDENTITY, angle: 90 });
    const expected = new Float32Array(PIXELS);
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) expected[y * N + x] = digit[x * N + (N - 1 - y)];
    expectAllClose(rotated, expected, 1e-3, 0);
  });

  it('zooms about the centre: zoom 2 makes the middle 14×14 fill the image', () => {
    const zoomed = warp(digit, { ...IDENTITY, zoom: 2 });
    // Output pixel (x, y) samples the source at (6.75 + x / 2, 6.75 + y / 2): source pixels 6.75-20.25 span the image.
    const expected = new Float32Array(PIXELS);
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        const [sx, sy] = [6.75 + x / 2, 6.75 + y / 2];
        const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
        const [fx, fy] = [sx - x0, sy - y0];
        const p = (i: number, j: number) => digit[j * N + i];
        expected[y * N + x] = (1 - fy) * ((1 - fx) * p(x0, y0) + fx * p(x0 + 1, y0)) + fy * ((1 - fx) * p(x0, y0 + 1) + fx * p(x0 + 1, y0 + 1));
      }
    }
    expectAllClose(zoomed, expected, 1e-4, 0);
  });

  it('matches the inverted-matrix reference on random transforms, and writes at the given offsets', () => {
    const rng = new Rng(3);
    const settings = augmentSettings({ shift: 3, rotate: 30, scale: 0.2 });
    const src = new Uint8Array(3 * PIXELS);
    src.set(digit, 2 * PIXELS);
    for (let i = 0; i < 50; i++) {
      const t = drawTransform(rng, settings);
      const out = new Float32Array(2 * PIXELS).fill(-1);
      warpDigit(src, 2 * PIXELS, t, out, PIXELS);
      expect(out.subarray(0, PIXELS).every((v) => v === -1)).toBe(true);
      expectAllClose(out.subarray(PIXELS), referenceWarp(digit, t), 1e-3, 1e-5);
    }
  });

  it('keeps values within the input range', () => {
    const white = new Uint8Array(PIXELS).fill(255);
    const rng = new Rng(4);
    const settings = augmentSettings({ shift: 2.5, rotate: 15, scale: 0.15 });
    for (let i = 0; i < 50; i++) {
      const out = warp(white, drawTransform(rng, settings), 1 / 256);
      expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...out)).toBeLessThanOrEqual(1);
    }
  });
});

describe('drawTransform', () => {
  it('draws uniformly within the limits, four numbers per digit whatever is enabled', () => {
    const settings = augmentSettings({ shift: 2, rotate: 10, scale: 0.1 });
    const rng = new Rng(5);
    const draws = Array.from({ length: 2000 }, () => drawTransform(rng, settings));
    for (const [key, lo, hi] of [['dx', -2, 2], ['dy', -2, 2], ['angle', -10, 10], ['zoom', 0.9, 1.1]] as const) {
      const values = draws.map((t) => t[key]);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...values)).toBeLessThanOrEqual(hi);
      // Uniform: the extremes are approached and the mean is the middle.
      expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.95 * (hi - lo));
      expect(Math.abs(values.reduce((s, v) => s + v, 0) / values.length - (lo + hi) / 2)).toBeLessThan(0.05 * (hi - lo));
    }
    // The same stream of uniforms, mapped the plain way.
    const reference = new Rng(5);
    const u = () => 2 * reference.next() - 1;
    expect(draws[0]).toEqual({ dx: u() * 2, dy: u() * 2, angle: u() * 10, zoom: 1 + u() * 0.1 });
    const shiftOnly = drawTransform(new Rng(5), augmentSettings({ shift: 2 }));
    expect(shiftOnly).toEqual({ dx: draws[0].dx, dy: draws[0].dy, angle: 0, zoom: 1 });
  });
});

describe('augmentSettings', () => {
  it('defaults every part to off', () => {
    expect(augmentSettings(undefined)).toEqual(NO_AUGMENT);
    expect(augmentSettings({})).toEqual({ shift: 0, rotate: 0, scale: 0 });
    expect(augmentSettings({ rotate: 10 })).toEqual({ shift: 0, rotate: 10, scale: 0 });
    expect(isAugmenting(augmentSettings({}))).toBe(false);
    expect(isAugmenting(augmentSettings({ scale: 0.05 }))).toBe(true);
  });

  it('rejects unknown keys, wrong types and out-of-range values naming the field', () => {
    expect(() => augmentSettings({ shfit: 2 } as never)).toThrow(/augment must be an object with only shift, rotate and scale/);
    expect(() => augmentSettings({ shift: -1 })).toThrow(/augment.shift must be a number of pixels in 0-14; got -1/);
    expect(() => augmentSettings({ shift: '2' } as never)).toThrow(/augment.shift/);
    expect(() => augmentSettings({ rotate: 200 })).toThrow(/augment.rotate must be a number of degrees in 0-180; got 200/);
    expect(() => augmentSettings({ scale: Number.NaN })).toThrow(/augment.scale must be a fraction/);
    expect(() => augmentSettings({ scale: 1 })).toThrow(/augment.scale/);
  });
});
