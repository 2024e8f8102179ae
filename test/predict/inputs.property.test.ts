// Property tests of the prediction-input parsers: valid JSON lines, {"instances"} bodies and PNGs round-trip; mutations give BAD_INPUT only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { LabError } from '../../src/errors.js';
import { decodePng, parseJsonInput } from '../../src/predict/inputs.js';
import { channels, encodePng, type PngSpec } from '../helpers/png-writer.js';

/** Seeded and bounded: a failure prints its seed and the smallest counterexample; `timeout` catches a hang. */
const RUNS = { seed: 20261201, numRuns: 150, timeout: 2000 } as const;

// Pixels: exact thousandths, arbitrary doubles (no -0: JSON writes it as 0), and the codelab's 0 / 0.5 / 1.
const pixel = fc.oneof(
  fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000),
  fc.double({ min: 0, max: 1, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
  fc.constantFrom(0, 0.5, 1),
);
const image = fc.array(fc.array(pixel, { minLength: 28, maxLength: 28 }), { minLength: 28, maxLength: 28 });
const images = fc.array(image, { minLength: 1, maxLength: 3 });

type Format = 'lines' | 'crlf-lines' | 'instances' | 'list' | 'single';
const FORMATS: Format[] = ['lines', 'crlf-lines', 'instances', 'list', 'single'];

/** The text a client would write for these images in one of the accepted JSON forms. */
function writeJson(list: number[][][], format: Format, bom: boolean): string {
  const instances = list.map((img) => ({ image: img }));
  const body = {
    lines: () => `${instances.map((i) => JSON.stringify(i)).join('\n')}\n`,
    'crlf-lines': () => instances.map((i) => JSON.stringify(i)).join('\r\n'),
    instances: () => JSON.stringify({ instances }, null, 1),
    list: () => JSON.stringify(instances),
    single: () => JSON.stringify(instances[0]),
  }[format]();
  return bom ? `\uFEFF${body}` : body;
}

/**
 * A plain reading of the JSON input rules, written apart from src/predict/inputs.ts: the whole text as one
 * JSON value (a list, an {"instances"} body or one instance), else one JSON value per non-blank line; each
 * instance exactly {"image": 28 rows of 28 finite numbers in [0,1]}. Null when the text breaks a rule.
 */
function referenceParse(text: string): number[] | null {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') return null;
  let instances: unknown[];
  try {
    const whole: unknown = JSON.parse(body);
    const isObject = typeof whole === 'object' && whole !== null && !Array.isArray(whole);
    if (Array.isArray(whole)) instances = whole;
    else if (isObject && 'instances' in whole) {
      if (Object.keys(whole).length !== 1 || !Array.isArray(whole.instances)) return null;
      instances = whole.instances;
    } else instances = [whole];
  } catch {
    try {
      instances = body.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
    } catch {
      return null;
    }
  }
  if (instances.length === 0) return null;
  const values: number[] = [];
  for (const instance of instances) {
    if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) return null;
    const keys = Object.keys(instance);
    if (keys.length !== 1 || keys[0] !== 'image') return null;
    const rows = (instance as { image: unknown }).image;
    if (!Array.isArray(rows) || rows.length !== 28) return null;
    for (const row of rows) {
      if (!Array.isArray(row) || row.length !== 28) return null;
      for (const v of row) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) return null;
        values.push(v);
      }
    }
  }
  return values;
}

/** Runs a parse; the outcome is its images or the LabError it threw (anything else fails the property). */
function outcome(parse: () => { images: Float32Array; count: number }): { images: Float32Array; count: number } | LabError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof LabError && error.code === 'BAD_INPUT') return error;
    throw error;
  }
}

describe('JSON prediction inputs (property)', () => {
  it('every accepted form of random images reads back exactly', () => {
    fc.assert(
      fc.property(images, fc.constantFrom(...FORMATS), fc.boolean(), (list, format, bom) => {
        const input = parseJsonInput(writeJson(list, format, bom), 'p.json');
        const expected = format === 'single' ? list.slice(0, 1) : list;
        expect(input.count).toBe(expected.length);
        expect(input.images).toEqual(Float32Array.from(expected.flat(2)));
      }),
      RUNS,
    );
  });

  type Mutation = { at: string; change: (instance: Record<string, unknown>) => unknown };
  const badValue = fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.constantFrom(null, true, false, [], {}, [0.5]),
    fc.double({ min: -1e6, max: -1e-9, noNaN: true }),
    fc.double({ min: 1 + 1e-9, max: 1e6, noNaN: true }),
  );
  // Each mutation of one instance, and a fragment the error must contain to name what is wrong.
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.tuple(fc.nat(27), fc.nat(27), badValue).map(([y, x, value]) => ({
      at: `pixel [${y}][${x}]`,
      change: (instance: Record<string, unknown>) => ((instance.image as unknown[][])[y][x] = value),
    })),
    fc.tuple(fc.nat(27), fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0)).map(([y, delta]) => ({
      at: `row ${y} is shape [${28 + delta}]`,
      change: (instance: Record<string, unknown>) => {
        const row = (instance.image as number[][])[y];
        if (delta < 0) row.splice(0, -delta);
        else row.push(...Array<number>(delta).fill(0));
      },
    })),
    fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0).map((delta) => ({
      at: `shape [${28 + delta},`,
      change: (instance: Record<string, unknown>) => {
        const rows = instance.image as number[][];
        if (delta < 0) rows.splice(0, -delta);
        else rows.push(...Array.from({ length: delta }, () => Array<number>(28).fill(0)));
      },
    })),
    fc.string({ minLength: 1, maxLength: 6 }).filter((key) => key !== 'image' && key !== '__proto__').map((key) => ({
      at: `unknown key ${JSON.stringify(key)}`,
      change: (instance: Record<string, unknown>) => (instance[key] = 1),
    })),
  );

  it('one wrong pixel, row, shape or key in any instance is BAD_INPUT naming the instance and the place', () => {
    fc.assert(
      fc.property(fc.array(image, { minLength: 2, maxLength: 3 }), fc.nat(), mutation, fc.constantFrom<Format>('lines', 'instances'), (list, pick, { at, change }, format) => {
        const index = pick % list.length;
        const instances = list.map((img) => ({ image: img }) as Record<string, unknown>);
        change(instances[index]);
        const text = format === 'lines' ? instances.map((i) => JSON.stringify(i)).join('\n') : JSON.stringify({ instances });
        const result = outcome(() => parseJsonInput(text, 'm.json'));
        expect(result).toBeInstanceOf(LabError);
        expect((result as LabError).message).toMatch(/^m\.json: instance \d/);
        expect((result as LabError).message).toContain(`instance ${index}`);
        expect((result as LabError).message).toContain(at);
      }),
      RUNS,
    );
  });

  // Edits a byte-level fuzzer would make: delete a span, insert JSON-ish characters, replace one, repeat a line.
  const edit = fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, n]) => (t: string) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + n)),
    fc.tuple(fc.nat(), fc.stringMatching(/^[{}[\]",:0-9.eE+\- \n\r\t\\a-z]{1,4}$/)).map(([at, s]) => (t: string) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })).map(([at, c]) => (t: string) => {
      const i = at % Math.max(1, t.length);
      return t.slice(0, i) + c + t.slice(i + 1);
    }),
    fc.nat().map((at) => (t: string) => {
      const lines = t.split('\n');
      lines.splice(at % lines.length, 0, lines[at % lines.length]);
      return lines.join('\n');
    }),
  );

  it('any edited text gives BAD_INPUT or exactly what a plain reading of the rules gives, never another error', () => {
    fc.assert(
      fc.property(images, fc.constantFrom(...FORMATS), fc.array(edit, { minLength: 1, maxLength: 4 }), (list, format, edits) => {
        const text = edits.reduce((t, apply) => apply(t), writeJson(list, format, false));
        const result = outcome(() => parseJsonInput(text, 'e.json'));
        const expected = referenceParse(text);
        if (expected === null) {
          expect(result).toBeInstanceOf(LabError);
          expect((result as LabError).message.startsWith('e.json: ')).toBe(true);
        } else {
          expect(result).not.toBeInstanceOf(LabError);
          const { images: got, count } = result as { images: Float32Array; count: number };
          expect(count * PIXELS).toBe(expected.length);
          expect(got).toEqual(Float32Array.from(expected));
        }
      }),
      RUNS,
    );
  });
});

/** A random valid PNG of a grey digit on a black border, in a random colour type, filter mix and interlacing. */
const pngOfSize = (side: fc.Arbitrary<number>) => fc
  .record({
    width: side,
    height: side,
    colourType: fc.constantFrom<PngSpec['colourType']>(0, 2, 3, 4, 6),
    interlaced: fc.boolean(),
    filters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
    seed: fc.integer(),
  })
  .map(({ width, height, colourType, interlaced, filters, seed }) => {
    const grey = new Uint8Array(width * height);
    let state = seed >>> 0;
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        state = (state * 1664525 + 1013904223) >>> 0;
        grey[y * width + x] = state >>> 24;
      }
    }
    const perPixel = channels(colourType);
    const samples = new Uint8Array(width * height * perPixel);
    grey.forEach((v, i) => {
      const pixelSamples = { 0: [v], 2: [v, v, v], 3: [v], 4: [v, 255], 6: [v, v, v, 255] }[colourType];
      samples.set(pixelSamples, i * perPixel);
    });
    const palette = colourType === 3 ? Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3)) : undefined;
    return { spec: { width, height, colourType, samples, palette, interlaced, filters } satisfies PngSpec, grey };
  });
const pngSpec = pngOfSize(fc.integer({ min: 1, max: 40 }));

async function pngOutcome(bytes: Uint8Array): Promise<{ images: Float32Array; count: number } | LabError> {
  try {
    return await decodePng(bytes, 'f.png');
  } catch (error) {
    if (error instanceof LabError && error.code === 'BAD_INPUT') return error;
    throw error;
  }
}

describe('PNG prediction inputs (property)', () => {
  it('a random valid PNG decodes: a 28×28 one to exactly its pixels, any other size to one MNIST image', async () => {
    const sized = fc.oneof(pngSpec, pngOfSize(fc.constant(28)));
    await fc.assert(
      fc.asyncProperty(sized, async ({ spec, grey }) => {
        const input = await decodePng(encodePng(spec), 'r.png');
        expect(input.count).toBe(1);
        expect(input.images).toHaveLength(PIXELS);
        expect(input.images.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
        if (spec.width === 28 && spec.height === 28) {
          const worst = Math.max(...Array.from(input.images, (v, i) => Math.abs(v - grey[i] / 255)));
          expect(worst).toBeLessThan(1e-6);
        }
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  const pngMutation = fc.oneof(
    fc.nat().map((at) => (b: Buffer) => b.subarray(0, at % b.length)),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => (b: Buffer) => {
      const out = Buffer.from(b);
      out[at % b.length] ^= mask;
      return out;
    }),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => (b: Buffer) => {
      const i = at % b.length;
      return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
    }),
    fc.nat().map((at) => (b: Buffer) => Buffer.concat([b.subarray(0, at % b.length), b.subarray((at % b.length) + 1)])),
  );

  it('any one cut, flipped, inserted or deleted byte is BAD_INPUT, never a blank, partial or other digit', async () => {
    await fc.assert(
      fc.asyncProperty(pngSpec, pngMutation, async ({ spec }, mutate) => {
        const result = await pngOutcome(mutate(encodePng(spec)));
        expect(result).toBeInstanceOf(LabError);
        expect((result as LabError).message.startsWith('f.png: ')).toBe(true);
      }),
      { ...RUNS, numRuns: 300 },
    );
  });

  it('random bytes, with or without the PNG signature, are BAD_INPUT', async () => {
    const signature = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.boolean(), async (bytes, signed) => {
        const result = await pngOutcome(signed ? Buffer.concat([signature, bytes]) : bytes);
        expect(result).toBeInstanceOf(LabError);
      }),
      RUNS,
    );
  });
});
