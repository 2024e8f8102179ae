// The PNG decoder against skia's (the reference) on random PNGs of every colour type, bit depth, transparency, filter and interlacing.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePngRgba } from '../../src/predict/png.js';
import { channels, encodePng, type PngSpec } from '../helpers/png-writer.js';

const DEPTHS: Record<PngSpec['colourType'], NonNullable<PngSpec['bitDepth']>[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

const spec: fc.Arbitrary<PngSpec> = fc
  .record({
    width: fc.integer({ min: 1, max: 24 }),
    height: fc.integer({ min: 1, max: 24 }),
    colourType: fc.constantFrom<PngSpec['colourType']>(0, 2, 3, 4, 6),
    depthPick: fc.nat(),
    interlaced: fc.boolean(),
    filters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
    withTransparency: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ width, height, colourType, depthPick, interlaced, filters, withTransparency, seed }) => {
    const bitDepth = DEPTHS[colourType][depthPick % DEPTHS[colourType].length];
    let state = seed >>> 0;
    const random = (below: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % below;
    };
    const colours = colourType === 3 ? 1 + random(Math.min(256, 2 ** bitDepth)) : 0;
    const limit = colourType === 3 ? colours : 2 ** bitDepth;
    const samples = Uint16Array.from({ length: width * height * channels(colourType) }, () => random(limit));
    const palette = colourType === 3 ? Uint8Array.from({ length: 3 * colours }, () => random(256)) : undefined;
    let transparency: Uint8Array | undefined;
    if (withTransparency && colourType === 3) transparency = Uint8Array.from({ length: random(colours + 1) }, () => random(256));
    // The key is a sample of the image itself, so some pixels do turn transparent.
    if (withTransparency && (colourType === 0 || colourType === 2)) {
      const keyed = samples.subarray(0, channels(colourType));
      transparency = Uint8Array.from([...keyed].flatMap((v) => [v >> 8, v & 0xff]));
    }
    return { width, height, colourType, bitDepth, samples, palette, transparency, interlaced, filters };
  });

async function skiaRgba(png: Buffer): Promise<Uint8ClampedArray> {
  const image = await loadImage(png);
  const context = createCanvas(image.width, image.height).getContext('2d');
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, image.width, image.height).data;
}

describe('decodePngRgba', () => {
  it('gives the pixels skia gives, for every colour type, depth, tRNS, filter mix and interlacing', async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const png = encodePng(s);
        const [ours, reference] = [(await decodePngRgba(png, 'r.png')).rgba, await skiaRgba(png)];
        expect(ours).toHaveLength(reference.length);
        // skia's canvas keeps colour premultiplied by alpha in 8 bits, so compare colour × alpha: its rounding there
        // and back is worth ±1; a 16-bit sample may also round to the other neighbour, in colour and in alpha.
        let [alphaError, colourError] = [0, 0];
        for (let i = 0; i < ours.length; i += 4) {
          alphaError = Math.max(alphaError, Math.abs(ours[i + 3] - reference[i + 3]));
          for (let c = 0; c < 3; c++) {
            const difference = ours[i + c] * ours[i + 3] - reference[i + c] * reference[i + 3];
            colourError = Math.max(colourError, Math.abs(difference) / 255);
          }
        }
        expect(alphaError).toBeLessThanOrEqual(s.bitDepth === 16 ? 1 : 0);
        expect(colourError).toBeLessThanOrEqual(s.bitDepth === 16 ? 3 : 1.01);
      }),
      { seed: 20261203, numRuns: 200, timeout: 2000 },
    );
  });

  it('refuses a palette index past the palette', async () => {
    const png = encodePng({ width: 2, height: 1, colourType: 3, samples: Uint8Array.from([0, 2]), palette: Uint8Array.from([0, 0, 0, 255, 255, 255]) });
    await expect(decodePngRgba(png, 'p.png')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('palette index 2, past its 2 colours') });
  });
});
