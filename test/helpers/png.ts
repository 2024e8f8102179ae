// Test helpers to look inside rendered PNGs: decode to RGBA, measure variance, find red pixels in a rectangle.
import { expect } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { Rect } from '../../src/viz/digit-grid.js';

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export async function decodePng(png: Buffer): Promise<Pixels> {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

/** Variance of the grey level over all pixels: 0 for a blank picture. */
export function greyVariance(p: Pixels): number {
  let sum = 0;
  let sumSq = 0;
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const g = (p.data[i * 4] + p.data[i * 4 + 1] + p.data[i * 4 + 2]) / 3;
    sum += g;
    sumSq += g * g;
  }
  return sumSq / n - (sum / n) ** 2;
}

/** Pixels in `rect` whose colour is close to `rgb` (each channel within `tolerance`). */
export function countColour(p: Pixels, rect: Rect, rgb: [number, number, number], tolerance = 40): number {
  let count = 0;
  for (let y = Math.floor(rect.y); y < Math.ceil(rect.y + rect.height); y++) {
    for (let x = Math.floor(rect.x); x < Math.ceil(rect.x + rect.width); x++) {
      const at = (y * p.width + x) * 4;
      if (rgb.every((c, k) => Math.abs(p.data[at + k] - c) <= tolerance)) count++;
    }
  }
  return count;
}

export const RED: [number, number, number] = [255, 0, 0];
export const WHOLE = (p: Pixels): Rect => ({ x: 0, y: 0, width: p.width, height: p.height });
