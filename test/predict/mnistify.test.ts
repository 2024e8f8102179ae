// MNIST preprocessing of drawings: crop, 20×20 area-averaged fit, centre of mass; checked against plain loops.
import { describe, expect, it } from 'vitest';
import { mnistify } from '../../src/predict/mnistify.js';
import { Rng } from '../../src/util/rng.js';

function centreOfMass(image: Float32Array): [number, number] {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  image.forEach((v, i) => {
    mass += v;
    sx += v * ((i % 28) + 0.5);
    sy += v * (Math.floor(i / 28) + 0.5);
  });
  return [sx / mass, sy / mass];
}

describe('mnistify', () => {
  it('gives all zeros for an image without ink', () => {
    expect(mnistify(new Float32Array(100 * 80), 100, 80).every((v) => v === 0)).toBe(true);
  });

  it('fits a 40×40 square of ink exactly into rows and columns 4-23', () => {
    const width = 90;
    const grey = new Float32Array(width * 70);
    for (let y = 13; y < 53; y++) for (let x = 31; x < 71; x++) grey[y * width + x] = 1;
    const out = mnistify(grey, width, 70);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) expect(out[y * 28 + x]).toBe(x >= 4 && x < 24 && y >= 4 && y < 24 ? 1 : 0);
    }
  });

  it('area-averages a 2× reduction (oracle: 2×2 block means) and centres by mass', () => {
    const rng = new Rng(3);
    const grey = new Float32Array(40 * 40).map(() => 0.2 + 0.8 * rng.next());
    const blocks = new Float32Array(400);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 20; x++) {
        const at = (dy: number, dx: number) => grey[(2 * y + dy) * 40 + 2 * x + dx];
        blocks[y * 20 + x] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
      }
    }
    let mass = 0;
    let sx = 0;
    let sy = 0;
    blocks.forEach((v, i) => {
      mass += v;
      sx += v * ((i % 20) + 0.5);
      sy += v * (Math.floor(i / 20) + 0.5);
    });
    const left = Math.max(0, Math.min(8, Math.round(14 - sx / mass)));
    const top = Math.max(0, Math.min(8, Math.round(14 - sy / mass)));
    const out = mnistify(grey, 40, 40);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 20; x++) expect(out[(top + y) * 28 + left + x]).toBeCloseTo(blocks[y * 20 + x], 5);
    }
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(mass, 3);
  });

  it('keeps the aspect ratio of a tall stroke and puts its mass at the centre', () => {
    // A 10×100 bar in the top-left corner of a 200×200 canvas becomes 2×20, centred.
    const grey = new Float32Array(200 * 200);
    for (let y = 5; y < 105; y++) for (let x = 3; x < 13; x++) grey[y * 200 + x] = 1;
    const out = mnistify(grey, 200, 200);
    const inked = [...out.keys()].filter((i) => out[i] > 0);
    expect(inked.length).toBe(40);
    const [cx, cy] = centreOfMass(out);
    expect(cx).toBeCloseTo(14, 5);
    expect(cy).toBeCloseTo(14, 5);
  });

  it('ignores faint noise below the ink threshold when cropping', () => {
    const grey = new Float32Array(100 * 100).fill(0.05);
    for (let y = 20; y < 80; y++) for (let x = 40; x < 60; x++) grey[y * 100 + x] = 1;
    const out = mnistify(grey, 100, 100);
    const columns = new Set([...out.keys()].filter((i) => out[i] > 0.5).map((i) => i % 28));
    expect(columns.size).toBe(7);
  });
});
