// Font digits: 24 MNIST-centred glyphs from two real typefaces, labels i % 10, and a clear error for missing fonts.
import { describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { LabError } from '../../src/errors.js';
import { fontFaces } from '../../src/viz/font-faces.js';
import { ensureFont } from '../../src/viz/fonts.js';
import { fontDigits } from '../../src/viz/canvas-png.js';

/** Centre of mass of a 28×28 byte image, in pixel units where pixel i covers [i, i+1). */
function centreOfMass(pixels: Uint8Array): { x: number; y: number } {
  let [mass, sumX, sumY] = [0, 0, 0];
  pixels.forEach((v, i) => {
    mass += v;
    sumX += v * ((i % 28) + 0.5);
    sumY += v * (Math.floor(i / 28) + 0.5);
  });
  return { x: sumX / mass, y: sumY / mass };
}

describe('fontDigits', () => {
  const font = fontDigits(24);
  const digit = (i: number) => font.images.subarray(i * PIXELS, (i + 1) * PIXELS);

  it('gives 0-9, 0-9, 0-3 scaled /255, from the two faces', () => {
    expect(Array.from(font.labels)).toEqual([...'012345678901234567890123'].map(Number));
    expect(font.families.slice(0, 10).every((f) => f === fontFaces.digitsA.family)).toBe(true);
    expect(font.families.slice(10).every((f) => f === fontFaces.digitsB.family)).toBe(true);
    font.pixels.forEach((v, i) => expect(v).toBe(Math.fround(font.images[i] / 255)));
  });

  it('centres each glyph like MNIST: ink within 20×20 (±1 for anti-aliasing), centre of mass at 14, 14', () => {
    for (let i = 0; i < 24; i++) {
      const d = digit(i);
      expect(Math.max(...d), `digit ${i} has ink`).toBeGreaterThan(200);
      const rows = [...Array(28).keys()].filter((r) => d.subarray(r * 28, r * 28 + 28).some((v) => v > 16));
      const cols = [...Array(28).keys()].filter((c) => [...Array(28).keys()].some((r) => d[r * 28 + c] > 16));
      expect(rows.at(-1)! - rows[0] + 1).toBeLessThanOrEqual(22);
      expect(cols.at(-1)! - cols[0] + 1).toBeLessThanOrEqual(22);
      expect(Math.max(rows.at(-1)! - rows[0], cols.at(-1)! - cols[0]) + 1).toBeGreaterThanOrEqual(18);
      const com = centreOfMass(d);
      expect(Math.abs(com.x - 14)).toBeLessThan(0.75);
      expect(Math.abs(com.y - 14)).toBeLessThan(0.75);
    }
  });

  it('draws the two typefaces differently (a real second face, not a fallback)', () => {
    for (let k = 0; k < 4; k++) {
      const diff = digit(k).reduce((s, v, i) => s + Math.abs(v - digit(10 + k)[i]), 0) / PIXELS;
      expect(diff, `digit ${k}`).toBeGreaterThan(10);
    }
  });

  it('fails with FONT_MISSING naming the file and the package', () => {
    const face = { family: 'Nope', file: '/usr/share/fonts/truetype/none/Nope.ttf', debianPackage: 'fonts-nope' };
    try {
      ensureFont(face);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LabError);
      const e = error as LabError;
      expect(e.code).toBe('FONT_MISSING');
      expect(e.message).toContain('/usr/share/fonts/truetype/none/Nope.ttf');
      expect(e.hint).toContain('fonts-nope');
    }
  });
});
