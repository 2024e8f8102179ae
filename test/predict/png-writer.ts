// Test fixture writer: PNG files chunk by chunk (grey, grey+alpha, RGB, RGBA, palette; 8-bit; any filter; Adam7), to feed the decoder.
import { crc32, deflateSync } from 'node:zlib';
import { PNG_SIGNATURE } from '../../src/predict/png.js';

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA; always 8 bits a sample. */
  colourType: 0 | 2 | 3 | 4 | 6;
  /** Samples row-major, `channels(colourType)` per pixel (palette indices for type 3). */
  samples: Uint8Array;
  /** RGB triples, for colour type 3. */
  palette?: Uint8Array;
  interlaced?: boolean;
  /** Filter type of each scanline, cycled (0 none, 1 sub, 2 up, 3 average, 4 Paeth). */
  filters?: number[];
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
export const channels = (colourType: PngSpec['colourType']): number => CHANNELS[colourType];

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

export function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(spec: PngSpec): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(spec.width, 0);
  header.writeUInt32BE(spec.height, 4);
  header[8] = 8;
  header[9] = spec.colourType;
  header[12] = spec.interlaced ? 1 : 0;
  const passes = spec.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const bpp = channels(spec.colourType);
  const filters = spec.filters ?? [0];
  let row = 0;
  const scanlines: Uint8Array[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const width = Math.max(0, Math.ceil((spec.width - x0) / dx));
    if (width === 0) continue;
    let previous = new Uint8Array(width * bpp);
    for (let y = y0; y < spec.height; y += dy) {
      const raw = new Uint8Array(width * bpp);
      for (let i = 0; i < width; i++) {
        const from = (y * spec.width + x0 + i * dx) * bpp;
        raw.set(spec.samples.subarray(from, from + bpp), i * bpp);
      }
      const filter = filters[row++ % filters.length];
      scanlines.push(Buffer.from([filter]), filterLine(filter, raw, previous, bpp));
      previous = raw;
    }
  }
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    ...(spec.palette ? [chunk('PLTE', spec.palette)] : []),
    chunk('IDAT', deflateSync(Buffer.concat(scanlines))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** PNG's five filters, applied to one scanline given the one above (spec section 9). */
function filterLine(filter: number, raw: Uint8Array, above: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const a = i >= bpp ? raw[i - bpp] : 0;
    const b = above[i];
    const c = i >= bpp ? above[i - bpp] : 0;
    const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
    out[i] = (raw[i] - predictor) & 0xff;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** A grey 8-bit PNG from a function of (x, y) in [0,1]. */
export function greyPng(grey: (x: number, y: number) => number, width: number, height: number): Buffer {
  const samples = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples[y * width + x] = Math.round(255 * grey(x, y));
  return encodePng({ width, height, colourType: 0, samples });
}
