// The one PNG decoder of prediction inputs: refuses anything but one complete PNG (every chunk, CRC and image byte), then decodes it to RGBA.
import { createCanvas, loadImage } from '@napi-rs/canvas';
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

/**
 * Decodes PNG bytes to RGBA, or throws BAD_INPUT naming what is wrong: not a PNG (a JPEG says so), a chunk cut
 * short or failing its CRC, a header out of the spec or larger than MAX_PNG_SIDE on a side, image data that
 * does not inflate to exactly the rows the header promises, or no IEND. Bytes after IEND are ignored, as
 * every decoder does. Only a PNG that passes all of that reaches the pixel decoder.
 */
export async function decodePngRgba(bytes: Uint8Array, source: string): Promise<RgbaImage> {
  const { header, imageData } = readChunks(bytes, source);
  await checkImageData(header, imageData, source);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let image: Awaited<ReturnType<typeof loadImage>>;
  try {
    image = await loadImage(buffer);
  } catch (cause) {
    throw badPng(source, `its pixels do not decode (${(cause as Error).message})`, cause);
  }
  if (image.width !== header.width || image.height !== header.height) {
    throw badPng(source, `it decodes to ${image.width}×${image.height}, not the ${header.width}×${header.height} of its header`);
  }
  const context = createCanvas(header.width, header.height).getContext('2d');
  context.drawImage(image, 0, 0);
  return { width: header.width, height: header.height, rgba: context.getImageData(0, 0, header.width, header.height).data };
}

/** Walks the chunks: signature, IHDR first, PLTE where it must be, IDAT in one run, IEND last; every CRC checked. */
function readChunks(bytes: Uint8Array, source: string): { header: PngHeader; imageData: Buffer } {
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    throw new LabError('BAD_INPUT', `${source}: ${jpeg ? 'a JPEG image' : 'not an image'}, not a PNG (it does not start with the PNG signature)`, {
      hint: jpeg ? 'convert the picture to PNG first' : 'pass a PNG file of one digit',
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | null = null;
  let palette = false;
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
        palette = true;
        break;
      case 'IDAT':
        if (idatEnded) throw badPng(source, 'its IDAT chunks are not consecutive');
        idat.push(data);
        break;
      case 'IEND':
        if (idat.length === 0) throw badPng(source, 'it has no image data (IDAT chunk)');
        if (header?.colourType === 3 && !palette) throw badPng(source, 'it is a palette image without a PLTE chunk');
        return { header: header as PngHeader, imageData: Buffer.concat(idat) };
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

/** The image data must inflate completely, to exactly the scanlines the header implies, each with a known filter. */
async function checkImageData(header: PngHeader, imageData: Buffer, source: string): Promise<void> {
  const rows = scanlines(header);
  const expected = rows.reduce((n, row) => n + row.count * (1 + row.bytes), 0);
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
  let at = 0;
  for (const row of rows) {
    for (let i = 0; i < row.count; i++, at += 1 + row.bytes) {
      if (inflated[at] > 4) throw badPng(source, `a scanline has filter type ${inflated[at]}; PNG defines 0 to 4`);
    }
  }
}

/** The scanlines of the image data, pass by pass: how many, and how many bytes each (without its filter byte). */
function scanlines(header: PngHeader): { count: number; bytes: number }[] {
  const bitsPerPixel = COLOUR_TYPES[header.colourType].channels * header.bitDepth;
  const rowBytes = (width: number) => Math.ceil((width * bitsPerPixel) / 8);
  if (!header.interlaced) return [{ count: header.height, bytes: rowBytes(header.width) }];
  return ADAM7.map(([x0, y0, dx, dy]) => {
    const width = Math.max(0, Math.ceil((header.width - x0) / dx));
    const height = Math.max(0, Math.ceil((header.height - y0) / dy));
    return { count: width === 0 ? 0 : height, bytes: rowBytes(width) };
  });
}

function badPng(source: string, reason: string, cause?: unknown): LabError {
  return new LabError('BAD_INPUT', `${source}: not a complete PNG image: ${reason}`, {
    hint: 'the file is cut short or damaged; save or export the picture as PNG again',
    cause,
  });
}
