// Reads prediction inputs (digits.json lines, {"instances": …} bodies, PNG and IDX files) into n×784 floats in [0,1].
import { isGzip, parseIdx } from '../data/idx.js';
import { gunzipIfNeeded } from '../data/idx-file.js';
import { scalePixels } from '../data/scale.js';
import { IMAGE_SIZE, PIXELS } from '../data/types.js';
import { LabError } from '../errors.js';
import { mnistify } from './mnistify.js';
import { decodePngRgba, PNG_SIGNATURE } from './png.js';

/** Images ready for a model: count × 784 floats in [0,1], row-major, white ink on black. */
export interface PredictionInput {
  images: Float32Array;
  count: number;
  /** An assumption made while decoding (e.g. the colours of a PNG), worth telling the user. */
  note?: string;
}

export type InputKind = 'json' | 'png' | 'idx';

const EXPECTED_IMAGE = 'a 28×28 array of numbers in [0,1] (shape [28,28])';
const SCALE_HINT = 'send {"image": <28 rows of 28 floats in [0,1]>} per instance; divide 0-255 pixel bytes by 255';

/** Tells the format of a prediction input from its leading bytes (the path only names it in errors). */
export function detectInputKind(path: string, bytes: Uint8Array): InputKind {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (isGzip(bytes) || (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0)) return 'idx';
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (first === 0x7b || first === 0x5b) return 'json';
  throw new LabError('BAD_INPUT', `${path}: not a PNG, IDX or JSON prediction input (first bytes ${hex(bytes.subarray(0, 8))})`, {
    hint: 'pass a PNG image, an IDX images file (.gz or raw), or JSON with one {"image": 28×28} object per line',
  });
}

/** Reads a prediction input file's bytes in whichever format they are (see detectInputKind). */
export async function readPredictionInput(path: string, bytes: Uint8Array): Promise<PredictionInput> {
  switch (detectInputKind(path, bytes)) {
    case 'png':
      return decodePng(bytes, path);
    case 'idx':
      return idxToImages(bytes, path);
    case 'json':
      return parseJsonInput(new TextDecoder().decode(bytes), path);
  }
}

/** An IDX images file (gzip or raw): uint8, shape [n,28,28], scaled /256 as the training pipeline scales the same bytes. */
export async function idxToImages(bytes: Uint8Array, source: string): Promise<PredictionInput> {
  const idx = parseIdx(await gunzipIfNeeded(bytes, source), source);
  const [count, rows, columns] = idx.shape;
  if (idx.dtype !== 'uint8' || idx.shape.length !== 3 || rows !== IMAGE_SIZE || columns !== IMAGE_SIZE || count < 1) {
    throw new LabError('BAD_INPUT', `${source}: IDX images must be uint8 of shape [n,28,28] with n ≥ 1; found ${idx.dtype} of shape [${idx.shape.join(',')}]`, {
      hint: 'pass an MNIST-style images file such as t10k-images-idx3-ubyte.gz (not a labels file)',
    });
  }
  const images = scalePixels(idx.data);
  return { images, count };
}

/**
 * Parses JSON prediction input: one {"image": 28×28} object per line (the codelab's digits.json), a single
 * such object, a list of them, or an AI Platform body {"instances": [{"image": …}, …]}.
 */
export function parseJsonInput(text: string, source: string): PredictionInput {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new LabError('BAD_INPUT', `${source}: empty input, no instances`, { hint: SCALE_HINT });
  let whole: unknown;
  try {
    whole = JSON.parse(body);
  } catch {
    return instancesToImages(parseJsonLines(body, source), source);
  }
  if (Array.isArray(whole)) return instancesToImages(whole, source);
  if (isRecord(whole) && 'instances' in whole) return bodyToImages(whole, source);
  return instancesToImages([whole], source);
}

/** An AI Platform body, {"instances": [{"image": 28×28}, …]} and no other key (the server's JSON bodies). */
export function bodyToImages(body: unknown, source: string): PredictionInput {
  if (!isRecord(body) || !('instances' in body)) {
    throw new LabError('BAD_INPUT', `${source}: the body must be {"instances": [{"image": 28×28}, …]}; found ${describe(body)}`, { hint: SCALE_HINT });
  }
  rejectUnknownKeys(body, 'instances', source);
  if (!Array.isArray(body.instances)) {
    throw new LabError('BAD_INPUT', `${source}: "instances" must be a list of {"image": 28×28} objects; found ${describe(body.instances)}`, { hint: SCALE_HINT });
  }
  return instancesToImages(body.instances, source);
}

function parseJsonLines(body: string, source: string): unknown[] {
  const instances: unknown[] = [];
  body.split('\n').forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    try {
      instances.push(JSON.parse(line));
    } catch (cause) {
      throw new LabError('BAD_INPUT', `${source}: line ${lineIndex + 1} is not valid JSON (${(cause as Error).message})`, {
        hint: 'write one {"image": 28×28} object per line, or a single {"instances": [...]} object',
        cause,
      });
    }
  });
  return instances;
}

/** Validates a list of {"image": 28×28} instances; errors name the instance index and what was found. */
export function instancesToImages(instances: unknown[], source: string): PredictionInput {
  if (instances.length === 0) throw new LabError('BAD_INPUT', `${source}: no instances`, { hint: SCALE_HINT });
  const images = new Float32Array(instances.length * PIXELS);
  instances.forEach((instance, index) => {
    if (!isRecord(instance) || !('image' in instance)) {
      throw new LabError('BAD_INPUT', `${source}: instance ${index} must be an object {"image": 28×28}; found ${describe(instance)}`, { hint: SCALE_HINT });
    }
    rejectUnknownKeys(instance, 'image', `${source}: instance ${index}`);
    copyImage(instance.image, images.subarray(index * PIXELS, (index + 1) * PIXELS), `${source}: instance ${index}`);
  });
  return { images, count: instances.length };
}

function copyImage(image: unknown, target: Float32Array, where: string): void {
  const badShape = (found: string): LabError =>
    new LabError('BAD_INPUT', `${where}: image must be ${EXPECTED_IMAGE}; found ${found}`, { hint: SCALE_HINT });
  if (!Array.isArray(image) || image.length !== IMAGE_SIZE) throw badShape(describe(image));
  image.forEach((row: unknown, y) => {
    if (!Array.isArray(row) || row.length !== IMAGE_SIZE) throw badShape(`row ${y} is ${describe(row)}`);
    row.forEach((value: unknown, x) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new LabError('BAD_INPUT', `${where}: pixel [${y}][${x}] is ${describe(value)}, not a finite number`, { hint: SCALE_HINT });
      }
      if (value < 0 || value > 1) {
        throw new LabError('BAD_INPUT', `${where}: pixel [${y}][${x}] is ${value}, outside [0,1]`, { hint: SCALE_HINT });
      }
      target[y * IMAGE_SIZE + x] = value;
    });
  });
}

/**
 * Decodes a PNG (one complete PNG up to 4096 on a side, see png.ts; grey, RGB or RGBA) into one MNIST-style
 * image, the same for the CLI and the server. The background is read from the
 * image border: a transparent border means whatever is opaque is ink; a light border means black ink on
 * white paper, inverted to MNIST's white on black; a dark border means MNIST's own colours. A 28×28 image is
 * taken as already MNIST-shaped; any other size is cropped to the ink, fitted to 20×20 and centred by mass
 * (see mnistify).
 */
export async function decodePng(bytes: Uint8Array, source: string): Promise<PredictionInput> {
  const { width, height, rgba } = await decodePngRgba(bytes, source);
  const { grey, background } = toInkGrey(rgba, width, height);
  const images = width === IMAGE_SIZE && height === IMAGE_SIZE ? grey : mnistify(grey, width, height);
  return { images, count: 1, note: BACKGROUND_NOTES[background] };
}

export type PngBackground = 'dark' | 'light' | 'transparent';

const BACKGROUND_NOTES: Record<PngBackground, string> = {
  dark: 'PNG read as light ink on a dark background, as MNIST',
  light: 'PNG read as dark ink on a light background (inverted to white on black)',
  transparent: 'PNG read as opaque ink on a transparent background',
};

/** RGBA bytes → ink intensity in [0,1] (white ink on black), and the background the border showed. */
function toInkGrey(rgba: Uint8ClampedArray, width: number, height: number): { grey: Float32Array; background: PngBackground } {
  const pixels = width * height;
  const luminance = new Float32Array(pixels);
  const alpha = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    luminance[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    alpha[i] = rgba[4 * i + 3] / 255;
  }
  const border = borderMeans(luminance, alpha, width, height);
  const background: PngBackground = border.alpha < 0.5 ? 'transparent' : border.luminance > 0.5 ? 'light' : 'dark';
  const grey = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const ink = background === 'transparent' ? 1 : background === 'light' ? 1 - luminance[i] : luminance[i];
    grey[i] = ink * alpha[i];
  }
  return { grey, background };
}

/** Mean alpha of the border pixels, and the mean luminance of their opaque part. */
function borderMeans(luminance: Float32Array, alpha: Float32Array, width: number, height: number): { alpha: number; luminance: number } {
  let count = 0;
  let alphaSum = 0;
  let luminanceSum = 0;
  const add = (i: number): void => {
    count += 1;
    alphaSum += alpha[i];
    luminanceSum += luminance[i] * alpha[i];
  };
  for (let x = 0; x < width; x++) {
    add(x);
    if (height > 1) add((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    add(y * width);
    if (width > 1) add(y * width + width - 1);
  }
  return { alpha: alphaSum / count, luminance: alphaSum > 0 ? luminanceSum / alphaSum : 0 };
}

/** Unknown keys are refused rather than ignored: a misspelt key must not pass silently. */
function rejectUnknownKeys(object: Record<string, unknown>, only: string, where: string): void {
  const unknown = Object.keys(object).find((key) => key !== only);
  if (unknown !== undefined) {
    throw new LabError('BAD_INPUT', `${where}: unknown key ${JSON.stringify(unknown.slice(0, 40))}; only "${only}" is allowed there`, { hint: SCALE_HINT });
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    const dims: number[] = [];
    let v: unknown = value;
    while (Array.isArray(v)) {
      dims.push(v.length);
      v = v[0];
    }
    return `shape [${dims.join(',')}]`;
  }
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string ${JSON.stringify(value.slice(0, 20))}`;
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
