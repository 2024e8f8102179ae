// Digit grids: size from the layout, pixels of each digit where the layout says, red captions exactly where wrong.
import { describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';
import { digitGridPng } from '../../src/viz/canvas-png.js';
import { gridLayout } from '../../src/viz/digit-grid.js';
import { countColour, decodePng, greyVariance, RED } from '../helpers/png.js';

describe('digitGridPng', () => {
  const count = 30;
  const rng = new Rng(3);
  const images = Uint8Array.from({ length: count * PIXELS }, () => rng.int(256));
  const wrong = Array.from({ length: count }, () => rng.next() < 0.4);

  it('draws every digit black-on-white where the layout puts it and colours only wrong captions red', async () => {
    const png = digitGridPng({
      images,
      count,
      captions: wrong.map((w, i) => [{ text: String(i % 10), wrong: w }]),
      perRow: 12,
      title: 'a title',
    });
    const p = await decodePng(png);
    const layout = gridLayout(count, 12, 1, true);
    expect([p.width, p.height]).toEqual([layout.width, layout.height]);
    expect(greyVariance(p)).toBeGreaterThan(100);
    for (let i = 0; i < count; i++) {
      const tile = layout.tile(i);
      for (const [r, c] of [[0, 0], [13, 7], [27, 27], [5, 20]]) {
        const at = ((tile.y + 2 * r + 1) * p.width + tile.x + 2 * c + 1) * 4;
        expect(p.data[at]).toBe(255 - images[i * PIXELS + r * 28 + c]);
      }
      const red = countColour(p, layout.caption(i, 0), RED, 60);
      if (wrong[i]) expect(red, `caption ${i}`).toBeGreaterThan(5);
      else expect(red, `caption ${i}`).toBe(0);
    }
    expect(countColour(p, layout.title!, [0xa8, 0x15, 0x1a], 30)).toBeGreaterThan(10);
  });

  it('lays out 7 rows of 24 for the 168-digit grid', () => {
    const layout = gridLayout(168, 24, 1, true);
    expect(layout.tile(23).y).toBe(layout.tile(0).y);
    expect(layout.tile(24).y).toBeGreaterThan(layout.caption(0, 0).y);
    expect(layout.tile(167).y).toBe(layout.tile(24 * 6).y);
    expect(layout.tile(167).y + 56).toBeLessThan(layout.height);
    expect(layout.tile(1).x - layout.tile(0).x).toBe(56);
  });
});

describe('digitGridPng with few or no digits', () => {
  it('is wide enough for its title, and renders with no digits at all', async () => {
    const title = 'no mistakes on the 10000 test digits';
    const p = await decodePng(digitGridPng({ images: new Uint8Array(0), count: 0, captions: [], perRow: 12, title }));
    expect(p.width).toBeGreaterThan(250);
    const layout = gridLayout(0, 12, 0, true, 56, p.width);
    expect(p.height).toBe(layout.height);
    // Title ink reaches the right part of the title box: not clipped at a 32-pixel-wide canvas.
    expect(countColour(p, { x: p.width / 2, y: 16, width: p.width / 2 - 16, height: 34 }, [0xa8, 0x15, 0x1a], 40)).toBeGreaterThan(5);
  });
});
