// Pixel scaling: every byte / 256 exactly as a plain loop computes it, without a transient list of every value.
import { expect, it } from 'vitest';
import { PIXEL_SCALE, scalePixels } from '../../src/data/scale.js';

it('scales each byte to byte / 256, as a plain loop does', () => {
  const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 37) % 256);
  const expected: number[] = [];
  for (const byte of bytes) expected.push(Math.fround(byte / 256));
  expect(Array.from(scalePixels(bytes))).toEqual(expected);
  expect(scalePixels(new Uint8Array([0, 128, 255]))).toEqual(new Float32Array([0, 0.5, 255 / 256]));
  expect(PIXEL_SCALE).toBe(1 / 256);
});

it('scales the 10k test digits without raising the peak memory by more than their floats', () => {
  const bytes = new Uint8Array(10_000 * 784).fill(200);
  const peakBefore = Math.max(process.resourceUsage().maxRSS * 1024, process.memoryUsage().rss);
  const pixels = scalePixels(bytes);
  const rise = process.resourceUsage().maxRSS * 1024 - peakBefore;
  expect(pixels[pixels.length - 1]).toBe(200 / 256);
  // The floats themselves are 31 MB; Float32Array.from(bytes, map) raised the peak by about 265 MB.
  expect(rise / 2 ** 20, 'MB the peak rose').toBeLessThan(80);
});
