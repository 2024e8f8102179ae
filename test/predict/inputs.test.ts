// Prediction inputs: digits.json lines, {"instances"} bodies, PNG and IDX files, and every bad case named precisely.
import { createCanvas } from '@napi-rs/canvas';
import { gzipSync } from 'node:zlib';
import { toBatch } from '../../src/data/pipeline.js';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from '../../src/data/idx.js';
import { PIXELS } from '../../src/data/types.js';
import { LabError } from '../../src/errors.js';
import {
  decodePng,
  detectInputKind,
  idxToImages,
  parseJsonInput,
  readPredictionInput,
} from '../../src/predict/inputs.js';
import { chunk, encodePng, greyPng } from '../helpers/png-writer.js';

/** A 28×28 image whose pixel (y, x) encodes its position and the image index, so order mistakes show. */
function codedImage(index: number): number[][] {
  return Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => ((y * 28 + x + index * 7) % 97) / 96));
}

function expectBadInput(action: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LabError);
  expect((caught as LabError).code).toBe('BAD_INPUT');
  for (const fragment of fragments) expect((caught as LabError).message).toContain(fragment);
}

function pngOf(grey: (x: number, y: number) => number, width: number, height: number, inkOnLight = false): Uint8Array {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const data = context.createImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.round(255 * (inkOnLight ? 1 - grey(x, y) : grey(x, y)));
      data.data.set([v, v, v, 255], 4 * (y * width + x));
    }
  }
  context.putImageData(data, 0, 0);
  return canvas.toBuffer('image/png');
}

describe('JSON inputs', () => {
  const images = [codedImage(0), codedImage(1), codedImage(2)];
  const expected = Float32Array.from(images.flat(2));

  it('reads digits.json: one {"image": 28×28} object per line', () => {
    const text = images.map((image) => JSON.stringify({ image })).join('\n') + '\n';
    const input = parseJsonInput(text, 'digits.json');
    expect(input.count).toBe(3);
    expect(input.images).toEqual(expected);
  });

  it('reads an AI Platform body, a list of instances and a single instance', () => {
    const instances = images.map((image) => ({ image }));
    expect(parseJsonInput(JSON.stringify({ instances }), 'body').images).toEqual(expected);
    expect(parseJsonInput(JSON.stringify(instances), 'list').images).toEqual(expected);
    const single = parseJsonInput(JSON.stringify({ image: images[1] }), 'one');
    expect(single.count).toBe(1);
    expect(single.images).toEqual(expected.subarray(PIXELS, 2 * PIXELS));
  });

  it('names the instance, the expected shape and what it found', () => {
    const good = { image: codedImage(0) };
    const body = (bad: unknown) => JSON.stringify({ instances: [good, good, bad] });
    expectBadInput(() => parseJsonInput(body({ image: codedImage(0).slice(1) }), 'r'), 'instance 2', '[28,28]', 'shape [27,28]');
    const shortRow = codedImage(0);
    shortRow[5] = shortRow[5].slice(2);
    expectBadInput(() => parseJsonInput(body({ image: shortRow }), 'r'), 'instance 2', 'row 5 is shape [26]');
    expectBadInput(() => parseJsonInput(body({ image: Array(784).fill(0) }), 'r'), 'instance 2', 'shape [784]');
    expectBadInput(() => parseJsonInput(body({ pixels: [] }), 'r'), 'instance 2', '{"image": 28×28}');
    expectBadInput(() => parseJsonInput(body(7), 'r'), 'instance 2', 'found 7');
    expectBadInput(() => parseJsonInput(body({ image: 'abc' }), 'r'), 'instance 2', 'a string');
  });

  it('rejects NaN-like, non-numeric and out-of-range pixels by position', () => {
    const withPixel = (value: unknown) => {
      const image: unknown[][] = codedImage(0);
      image[3][4] = value;
      return JSON.stringify({ instances: [{ image }] });
    };
    expectBadInput(() => parseJsonInput(withPixel(null), 'r'), 'instance 0', 'pixel [3][4] is null', 'not a finite number');
    expectBadInput(() => parseJsonInput(withPixel('0.5'), 'r'), 'pixel [3][4] is a string');
    expectBadInput(() => parseJsonInput(withPixel(1.5), 'r'), 'pixel [3][4] is 1.5, outside [0,1]');
    expectBadInput(() => parseJsonInput(withPixel(-0.01), 'r'), 'outside [0,1]');
    expectBadInput(() => parseJsonInput(withPixel(255), 'r'), 'pixel [3][4] is 255');
    // JSON has no NaN literal: a NaN written by a careless client is a syntax error on its line.
    const nanLine = JSON.stringify({ image: codedImage(0) }).replace('0,', 'NaN,');
    expectBadInput(() => parseJsonInput(`${JSON.stringify({ image: codedImage(1) })}\n${nanLine}`, 'digits.json'), 'digits.json: line 2 is not valid JSON');
  });

  it('rejects unknown keys beside "image" and "instances", as the server does', () => {
    const image = codedImage(0);
    expectBadInput(() => parseJsonInput(`${JSON.stringify({ image })}\n${JSON.stringify({ image, label: 7 })}`, 'digits.json'), 'instance 1', 'unknown key "label"');
    expectBadInput(() => parseJsonInput(JSON.stringify({ instances: [{ image }], signature_name: 'serving_default' }), 'b'), 'unknown key "signature_name"');
    expectBadInput(() => parseJsonInput(JSON.stringify([{ image, imag: 1 }]), 'l'), 'instance 0', 'unknown key "imag"');
  });

  it('rejects empty input and a non-list "instances"', () => {
    expectBadInput(() => parseJsonInput('  \n', 'empty.json'), 'empty.json', 'no instances');
    expectBadInput(() => parseJsonInput('{"instances": []}', 'b'), 'no instances');
    expectBadInput(() => parseJsonInput('{"instances": {"image": 1}}', 'b'), '"instances" must be a list');
  });
});

describe('PNG inputs', () => {
  const digit = (x: number, y: number) => (x >= 10 && x < 16 && y >= 4 && y < 24 ? 1 : x === 9 && y >= 4 && y < 24 ? 0.5 : 0);

  it('takes a 28×28 white-on-black PNG as it is', async () => {
    const input = await decodePng(pngOf(digit, 28, 28), 'w.png');
    expect(input.count).toBe(1);
    expect(input.note).toContain('light ink on a dark background');
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(input.images[y * 28 + x]).toBeCloseTo(digit(x, y), 2);
  });

  it('reads a greyscale (colour type 0) PNG', async () => {
    const input = await decodePng(greyPng(digit, 28, 28), 'grey.png');
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(input.images[y * 28 + x]).toBeCloseTo(digit(x, y), 2);
  });

  it('inverts black ink on white paper and says so', async () => {
    const input = await decodePng(pngOf(digit, 28, 28, true), 'b.png');
    expect(input.note).toContain('dark ink on a light background');
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(input.images[y * 28 + x]).toBeCloseTo(digit(x, y), 2);
  });

  it('fits a large drawing into the 20×20 box, centred by mass', async () => {
    // A 300×200 picture with a 40×120 bar: it becomes about 7×20 pixels, centred on (14, 14).
    const bar = (x: number, y: number) => (x >= 200 && x < 240 && y >= 30 && y < 150 ? 1 : 0);
    const input = await decodePng(pngOf(bar, 300, 200, true), 'big.png');
    const rows = new Set<number>();
    const columns = new Set<number>();
    let mass = 0;
    let sumX = 0;
    let sumY = 0;
    input.images.forEach((v, i) => {
      if (v <= 0.01) return;
      rows.add(Math.floor(i / 28));
      columns.add(i % 28);
      mass += v;
      sumX += v * ((i % 28) + 0.5);
      sumY += v * (Math.floor(i / 28) + 0.5);
    });
    expect(rows.size).toBe(20);
    expect(columns.size).toBe(7);
    expect(Math.abs(sumX / mass - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(sumY / mass - 14)).toBeLessThanOrEqual(0.5);
  });

  it('treats transparent pixels as background', async () => {
    const canvas = createCanvas(56, 56);
    const context = canvas.getContext('2d');
    context.fillStyle = 'black';
    context.fillRect(20, 8, 12, 40);
    const input = await decodePng(canvas.toBuffer('image/png'), 't.png');
    const inked = input.images.filter((v) => v > 0.5).length;
    expect(inked).toBeGreaterThan(80);
    expect(inked).toBeLessThan(200);
    expect(input.note).toContain('transparent background');
  });

  it('rejects bytes that are not a PNG image', async () => {
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await expect(decodePng(bytes, 'broken.png')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('broken.png') });
  });

  it('rejects a PNG cut short anywhere, instead of reading it as a blank or partial image', async () => {
    const png = pngOf(digit, 28, 28);
    for (let length = 0; length < png.length; length++) {
      await expect(decodePng(png.subarray(0, length), 'cut.png'), `cut at ${length} of ${png.length}`).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: expect.stringContaining('cut.png'),
      });
    }
  });

  it('rejects a damaged chunk, image data that does not fill the image, and an unknown filter', async () => {
    const png = greyPng(digit, 28, 28);
    const flipped = Buffer.from(png);
    flipped[50] ^= 0x01; // inside the IDAT data
    await expect(decodePng(flipped, 'flip.png')).rejects.toMatchObject({ message: expect.stringContaining('fails its CRC') });
    // A well-formed file whose image data holds 27 of the 28 rows its header promises.
    const short = greyPng(digit, 28, 27);
    short.writeUInt32BE(28, 16 + 4);
    const fixed = Buffer.concat([short.subarray(0, 8), chunk('IHDR', short.subarray(16, 29)), short.subarray(33)]);
    await expect(decodePng(fixed, 'short.png')).rejects.toMatchObject({ message: expect.stringMatching(/holds 783 of the 812 bytes/) });
    const badFilter = encodePng({ width: 4, height: 4, colourType: 0, samples: new Uint8Array(16), filters: [0, 7] });
    await expect(decodePng(badFilter, 'filter.png')).rejects.toMatchObject({ message: expect.stringContaining('filter type 7') });
  });

  it('rejects a JPEG, saying it is one', async () => {
    const canvas = createCanvas(28, 28);
    canvas.getContext('2d').fillRect(4, 4, 10, 20);
    await expect(decodePng(canvas.toBuffer('image/jpeg'), 'photo.png')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('photo.png: a JPEG image, not a PNG'),
    });
  });

  it('takes up to 4096 pixels on each side and refuses 4097 on either', async () => {
    await expect(decodePng(greyPng(() => 0, 4096, 1), 'wide.png')).resolves.toMatchObject({ count: 1 });
    for (const [width, height] of [[4097, 1], [1, 4097]]) {
      await expect(decodePng(greyPng(() => 0, width, height), 'big.png')).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: expect.stringContaining(`between 1×1 and 4096×4096 pixels; found ${width}×${height}`),
      });
    }
  });

  it('reads every filter, interlacing and the colour types the same', async () => {
    const grey = Uint8Array.from({ length: 28 * 28 }, (_, i) => Math.round(255 * digit(i % 28, Math.floor(i / 28))));
    const expected = Float32Array.from(grey, (v) => v / 255);
    const rgba = new Uint8Array(28 * 28 * 4).map((_, i) => (i % 4 === 3 ? 255 : grey[i >> 2]));
    const palette = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3));
    const variants = [
      encodePng({ width: 28, height: 28, colourType: 0, samples: grey, filters: [0, 1, 2, 3, 4] }),
      encodePng({ width: 28, height: 28, colourType: 0, samples: grey, interlaced: true, filters: [4, 3, 2, 1, 0] }),
      encodePng({ width: 28, height: 28, colourType: 6, samples: rgba, filters: [4] }),
      encodePng({ width: 28, height: 28, colourType: 3, samples: grey, palette }),
    ];
    for (const png of variants) expect((await decodePng(png, 'v.png')).images).toEqual(expected);
  });
});

describe('IDX inputs', () => {
  const bytes = Uint8Array.from({ length: 2 * PIXELS }, (_, i) => i % 256);
  const idx = encodeIdx({ dtype: 'uint8', shape: [2, 28, 28], data: bytes });

  it('reads raw and gzip IDX images, scaled by /256 exactly as training scales the same bytes', async () => {
    for (const file of [idx, new Uint8Array(gzipSync(idx))]) {
      const input = await idxToImages(file, 'images.idx');
      expect(input.count).toBe(2);
      const set = { images: parseIdx(idx, 'images.idx').data as Uint8Array, labels: new Uint8Array(2), count: 2 };
      expect(Array.from(input.images)).toEqual(Array.from(toBatch(set, 0, 2).xs));
    }
  });

  it('rejects a labels file and other shapes', async () => {
    const labels = encodeIdx({ dtype: 'uint8', shape: [5], data: new Uint8Array(5) });
    await expect(idxToImages(labels, 'labels.idx')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('shape [5]') });
    const wide = encodeIdx({ dtype: 'uint8', shape: [1, 28, 30], data: new Uint8Array(840) });
    await expect(idxToImages(wide, 'wide.idx')).rejects.toMatchObject({ message: expect.stringContaining('[n,28,28]') });
  });
});

describe('detectInputKind and readPredictionInput', () => {
  const json = new TextEncoder().encode(`\n${JSON.stringify({ image: codedImage(4) })}\n`);
  const idx = encodeIdx({ dtype: 'uint8', shape: [1, 28, 28], data: new Uint8Array(PIXELS).fill(255) });
  const png = pngOf(() => 0, 28, 28);

  it('tells the formats apart by their bytes', () => {
    expect(detectInputKind('a', json)).toBe('json');
    expect(detectInputKind('a', idx)).toBe('idx');
    expect(detectInputKind('a', new Uint8Array(gzipSync(idx)))).toBe('idx');
    expect(detectInputKind('a', png)).toBe('png');
    expectBadInput(() => detectInputKind('notes.txt', new TextEncoder().encode('hello')), 'notes.txt', 'not a PNG, IDX or JSON');
  });

  it('reads each format', async () => {
    expect((await readPredictionInput('d.json', json)).images).toEqual(Float32Array.from(codedImage(4).flat()));
    expect((await readPredictionInput('i.idx', idx)).images.every((v) => v === 255 / 256)).toBe(true);
    expect((await readPredictionInput('p.png', png)).images.every((v) => v === 0)).toBe(true);
  });
});
