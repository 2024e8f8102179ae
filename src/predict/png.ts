// The one PNG decoder of prediction inputs: refuses anything but one complete PNG (every chunk, CRC and image byte) and decodes it to RGBA.
import { promisify } from 'node:util';
import { crc32, inflate } from 'node:zlib';
import { LabError } from '../errors.js';

/** Largest width and largest height accepted, each. */
export const MAX_PNG_SIDE = 4096;

export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, not premultiplied. */
  rgba: Uint8ClampedArray;
}

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
}

/** Bit depths each colour type allows (PNG spec, table 11.1), and its samples per pixel. */
const COLOUR_TYPES: Record<number, { depths: number[]; channels: number }> = {
  0: { depths: [1, 2, 4, 8, 16], channels: 1 },
  2: { depths: [8, 16], channels: 3 },
  3: { depths: [1, 2, 4, 8], channels: 1 },
  4: { depths: [8, 16], channels: 2 },
  6: { depths: [8, 16], channels: 4 },
};

/** Adam7's passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const KNOWN_CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);
const inflateAsync = promisify(inflate);

/** What the chunks say: the header, the palette and transparency chunks (if any), and the zlib image data. */
interface PngChunks {
  header: PngHeader;
  palette: Uint8Array | null;
  transparency: Uint8Array | null;
  imageData: Buffer;
}

/**
 * Decodes PNG bytes to RGBA, or throws BAD_INPUT naming what is wrong: not a PNG (a JPEG says so), a chunk cut
 * short or failing its CRC, a header out of the spec or larger than MAX_PNG_SIDE on a side, image data that
 * does not inflate to exactly the scanlines the header promises, an unknown filter, a palette index past the
 * palette, or no IEND. Bytes after IEND are ignored, as every decoder does. Every colour type, bit depth and
 * Adam7 interlacing is read; 16-bit samples are rounded to 8 bits; colour-space chunks (gAMA, iCCP) are not
 * applied, as a browser canvas on an untagged screen does not.
 */
export async function decodePngRgba(bytes: Uint8Array, source: string): Promise<RgbaImage> {
  const chunks = readChunks(bytes, source);
  const scanlines = await inflateScanlines(chunks.header, chunks.imageData, source);
  return { width: chunks.header.width, height: chunks.header.height, rgba: toRgba(chunks, scanlines, source) };
}

/** Walks the chunks: signature, IHDR first, PLTE where it must be, IDAT in one run, IEND last; every CRC checked. */
function readChunks(bytes: Uint8Array, source: string): PngChunks {
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    throw new LabError('BAD_INPUT', `${source}: ${jpeg ? 'a JPEG image' : 'not an image'}, not a PNG (it does not start with the PNG signature)`, {
      hint: jpeg ? 'convert the picture to PNG first' : 'pass a PNG file of one digit',
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let idatEnded = false;
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.length) throw badPng(source, `it ends at byte ${bytes.length} before its IEND chunk`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw badPng(source, `byte ${offset + 4} starts no chunk (type ${JSON.stringify(type)})`);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) {
      throw badPng(source, `chunk ${type} at byte ${offset} needs ${length} bytes but the file ends at byte ${bytes.length}`);
    }
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) {
      throw badPng(source, `chunk ${type} at byte ${offset} fails its CRC (damaged)`);
    }
    if (header === null && type !== 'IHDR') throw badPng(source, `its first chunk is ${type}, not IHDR`);
    if (idat.length > 0 && type !== 'IDAT') idatEnded = true;
    switch (type) {
      case 'IHDR':
        if (header !== null) throw badPng(source, 'it has a second IHDR chunk');
        header = readHeader(data, source);
        break;
      case 'PLTE':
        if (idat.length > 0) throw badPng(source, 'its PLTE chunk comes after the image data');
        if (length === 0 || length % 3 !== 0 || length > 256 * 3) throw badPng(source, `its PLTE chunk holds ${length} bytes, not 3 for each of 1 to 256 colours`);
        palette = data;
        break;
      case 'tRNS':
        transparency = data;
        break;
      case 'IDAT':
        if (idatEnded) throw badPng(source, 'its IDAT chunks are not consecutive');
        idat.push(data);
        break;
      case 'IEND':
        if (idat.length === 0) throw badPng(source, 'it has no image data (IDAT chunk)');
        if (header?.colourType === 3 && palette === null) throw badPng(source, 'it is a palette image without a PLTE chunk');
        return { header: header as PngHeader, palette, transparency, imageData: Buffer.concat(idat) };
      default:
        if (!KNOWN_CRITICAL.has(type) && type.charCodeAt(0) < 0x61) throw badPng(source, `it needs chunk ${type}, which no PNG decoder knows`);
    }
    offset = end;
  }
}

function readHeader(data: Uint8Array, source: string): PngHeader {
  if (data.length !== 13) throw badPng(source, `its IHDR chunk holds ${data.length} bytes, not 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [bitDepth, colourType, compression, filter, interlace] = data.subarray(8, 13);
  if (width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) {
    throw new LabError('BAD_INPUT', `${source}: PNG must be between 1×1 and ${MAX_PNG_SIDE}×${MAX_PNG_SIDE} pixels; found ${width}×${height}`, {
      hint: 'scale the picture down; 28×28 to a few hundred pixels is plenty',
    });
  }
  if (!COLOUR_TYPES[colourType]?.depths.includes(bitDepth)) {
    throw badPng(source, `its header has colour type ${colourType} with bit depth ${bitDepth}, which PNG does not define`);
  }
  if (compression !== 0 || filter !== 0 || interlace > 1) {
    throw badPng(source, `its header has compression ${compression}, filter ${filter}, interlace ${interlace}; PNG defines 0, 0 and 0 or 1`);
  }
  return { width, height, bitDepth, colourType, interlaced: interlace === 1 };
}

/** The image data inflated: it must inflate completely, to exactly the scanlines the header implies. */
async function inflateScanlines(header: PngHeader, imageData: Buffer, source: string): Promise<Buffer> {
  const expected = passes(header).reduce((n, pass) => n + pass.height * (1 + pass.rowBytes), 0);
  let inflated: Buffer;
  try {
    inflated = await inflateAsync(imageData, { maxOutputLength: expected });
  } catch (cause) {
    const tooMuch = (cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw badPng(source, tooMuch ? `its image data holds more than the ${expected} bytes a ${header.width}×${header.height} image has` : `its image data is cut short or damaged (${(cause as Error).message})`, cause);
  }
  if (inflated.length !== expected) {
    throw badPng(source, `its image data holds ${inflated.length} of the ${expected} bytes a ${header.width}×${header.height} image has`);
  }
  return inflated;
}

/** One pass of the image (the whole image when not interlaced): where its pixels go and its scanline size. */
interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
  rowBytes: number;
}

function passes(header: PngHeader): Pass[] {
  const bitsPerPixel = COLOUR_TYPES[header.colourType].channels * header.bitDepth;
  const layouts = header.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  return layouts.map(([x0, y0, dx, dy]) => {
    const width = Math.max(0, Math.ceil((header.width - x0) / dx));
    const height = width === 0 ? 0 : Math.max(0, Math.ceil((header.height - y0) / dy));
    return { x0, y0, dx, dy, width, height, rowBytes: Math.ceil((width * bitsPerPixel) / 8) };
  });
}

/** Undoes each scanline's filter (PNG spec section 9) and writes its pixels as RGBA, pass by pass. */
function toRgba({ header, palette, transparency }: PngChunks, data: Buffer, source: string): Uint8ClampedArray {
  const { width, bitDepth, colourType } = header;
  const channels = COLOUR_TYPES[colourType].channels;
  const bpp = Math.max(1, (channels * bitDepth) >> 3);
  const rgba = new Uint8ClampedArray(width * header.height * 4);
  const sample = sampleReader(bitDepth);
  const key = transparentKey(colourType, transparency);
  let at = 0;
  for (const pass of passes(header)) {
    let previous = new Uint8Array(pass.rowBytes);
    let current = new Uint8Array(pass.rowBytes);
    for (let row = 0; row < pass.height; row++, at += 1 + pass.rowBytes) {
      const filter = data[at];
      if (filter > 4) throw badPng(source, `a scanline has filter type ${filter}; PNG defines 0 to 4`);
      unfilter(filter, data.subarray(at + 1, at + 1 + pass.rowBytes), previous, current, bpp);
      for (let i = 0; i < pass.width; i++) {
        const out = 4 * ((pass.y0 + row * pass.dy) * width + pass.x0 + i * pass.dx);
        const k = i * channels;
        if (colourType === 3) {
          const index = sample(current, k);
          if (3 * index + 2 >= (palette as Uint8Array).length) throw badPng(source, `a pixel has palette index ${index}, past its ${(palette as Uint8Array).length / 3} colours`);
          rgba.set((palette as Uint8Array).subarray(3 * index, 3 * index + 3), out);
          rgba[out + 3] = transparency !== null && index < transparency.length ? transparency[index] : 255;
          continue;
        }
        const colour = colourType === 2 || colourType === 6;
        const r = sample(current, k);
        const g = colour ? sample(current, k + 1) : r;
        const b = colour ? sample(current, k + 2) : r;
        rgba[out] = to8(r, bitDepth);
        rgba[out + 1] = to8(g, bitDepth);
        rgba[out + 2] = to8(b, bitDepth);
        if (colourType === 4 || colourType === 6) rgba[out + 3] = to8(sample(current, k + channels - 1), bitDepth);
        else rgba[out + 3] = key !== null && r === key[0] && g === key[1] && b === key[2] ? 0 : 255;
      }
      [previous, current] = [current, previous];
    }
  }
  return rgba;
}

function unfilter(filter: number, line: Uint8Array, above: Uint8Array, out: Uint8Array, bpp: number): void {
  for (let i = 0; i < line.length; i++) {
    const a = i >= bpp ? out[i - bpp] : 0;
    const b = above[i];
    const c = i >= bpp ? above[i - bpp] : 0;
    let predictor = 0;
    if (filter === 1) predictor = a;
    else if (filter === 2) predictor = b;
    else if (filter === 3) predictor = (a + b) >> 1;
    else if (filter === 4) {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out[i] = (line[i] + predictor) & 0xff;
  }
}

/** Reads sample k of an unfiltered scanline: 1, 2 or 4 bits packed high bits first, 8 bits, or 16 big-endian. */
function sampleReader(bitDepth: number): (line: Uint8Array, k: number) => number {
  if (bitDepth === 8) return (line, k) => line[k];
  if (bitDepth === 16) return (line, k) => (line[2 * k] << 8) | line[2 * k + 1];
  const mask = (1 << bitDepth) - 1;
  return (line, k) => (line[(k * bitDepth) >> 3] >> (8 - bitDepth - ((k * bitDepth) & 7))) & mask;
}

/** A sample scaled to 0-255: sub-byte depths stretched (a 1-bit 1 is 255), 16 bits rounded. */
function to8(value: number, bitDepth: number): number {
  if (bitDepth === 8) return value;
  if (bitDepth === 16) return Math.round(value / 257);
  return (value * 255) / ((1 << bitDepth) - 1);
}

/** The one grey or RGB value a tRNS chunk makes transparent in colour types 0 and 2 (as [r, g, b] samples). */
function transparentKey(colourType: number, transparency: Uint8Array | null): [number, number, number] | null {
  if (transparency === null) return null;
  const view = new DataView(transparency.buffer, transparency.byteOffset, transparency.byteLength);
  if (colourType === 0 && transparency.length === 2) return [view.getUint16(0), view.getUint16(0), view.getUint16(0)];
  if (colourType === 2 && transparency.length === 6) return [view.getUint16(0), view.getUint16(2), view.getUint16(4)];
  return null;
}

function badPng(source: string, reason: string, cause?: unknown): LabError {
  return new LabError('BAD_INPUT', `${source}: not a complete PNG image: ${reason}`, {
    hint: 'the file is cut short or damaged; save or export the picture as PNG again',
    cause,
  });
}
