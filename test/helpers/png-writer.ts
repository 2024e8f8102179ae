// Test fixture writer: PNG files chunk by chunk (every colour type and bit depth, tRNS, any filter, Adam7), to feed the decoder.
import { crc32, deflateSync } from 'node:zlib';
import { PNG_SIGNATURE } from '../../src/predict/png.js';

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colourType: 0 | 2 | 3 | 4 | 6;
  /** Bits a sample (default 8): 1, 2, 4, 8 or 16 for grey, up to 8 for palette, 8 or 16 for the others. */
  bitDepth?: 1 | 2 | 4 | 8 | 16;
  /** Samples row-major, `channels(colourType)` per pixel (palette indices for type 3), each below 2^bitDepth. */
  samples: Uint8Array | Uint16Array;
  /** RGB triples, for colour type 3. */
  palette?: Uint8Array;
  /** The tRNS chunk's bytes: alphas of palette entries, or the 16-bit grey or RGB key that is transparent. */
  transparency?: Uint8Array;
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
  const depth = spec.bitDepth ?? 8;
  header[8] = depth;
  header[9] = spec.colourType;
  header[12] = spec.interlaced ? 1 : 0;
  const passes = spec.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const perPixel = channels(spec.colourType);
  const bpp = Math.max(1, (perPixel * depth) >> 3);
  const filters = spec.filters ?? [0];
  let row = 0;
  const scanlines: Uint8Array[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const width = Math.max(0, Math.ceil((spec.width - x0) / dx));
    if (width === 0) continue;
    let previous: Uint8Array = new Uint8Array(Math.ceil((width * perPixel * depth) / 8));
    for (let y = y0; y < spec.height; y += dy) {
      const samples: number[] = [];
      for (let i = 0; i < width; i++) {
        const from = (y * spec.width + x0 + i * dx) * perPixel;
        samples.push(...spec.samples.subarray(from, from + perPixel));
      }
      const raw = packSamples(samples, depth);
      const filter = filters[row++ % filters.length];
      scanlines.push(Buffer.from([filter]), filterLine(filter, raw, previous, bpp));
      previous = raw;
    }
  }
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    ...(spec.palette ? [chunk('PLTE', spec.palette)] : []),
    ...(spec.transparency ? [chunk('tRNS', spec.transparency)] : []),
    chunk('IDAT', deflateSync(Buffer.concat(scanlines))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** One scanline's samples as bytes: 16 bits big-endian, 8 bits as they are, 1/2/4 bits packed high bits first. */
function packSamples(samples: number[], depth: number): Uint8Array {
  if (depth === 16) return Uint8Array.from(samples.flatMap((v) => [v >> 8, v & 0xff]));
  if (depth === 8) return Uint8Array.from(samples);
  const out = new Uint8Array(Math.ceil((samples.length * depth) / 8));
  samples.forEach((v, k) => (out[(k * depth) >> 3] |= v << (8 - depth - ((k * depth) & 7))));
  return out;
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
