// Reads and writes IDX files on disk, gzip-compressed or raw (detected by the gzip magic bytes, not the name).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { LabError } from '../errors.js';
import { encodeIdx, isGzip, parseIdx, type IdxArray } from './idx.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** Returns the bytes decompressed when they are gzip, else as they are; `source` names the file in errors. */
export async function gunzipIfNeeded(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    throw new LabError('BAD_DATA_FILE', `${source}: corrupt or truncated gzip (${(cause as Error).message})`, {
      hint: 'the download was probably cut short; re-fetch it with `mnist-lab data fetch`',
      cause,
    });
  }
}

/** The file's IDX bytes, decompressed if it is gzip. */
export async function readIdxBytes(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new LabError('DATA_NOT_FOUND', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, {
      hint: 'check the path, or fetch the data with `mnist-lab data fetch`',
      cause,
    });
  }
  return gunzipIfNeeded(bytes, path);
}

/** Reads and validates one IDX file, gzip or raw. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(await readIdxBytes(path), path);
}

/**
 * Writes bytes atomically: to a temporary file beside the target, then renamed over it. The temp name uses
 * crypto, not Math.random, which a seeded training run may have taken over (installMathRandom).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Writes an IDX file atomically, gzip-compressed when `gzip` is set (default raw). */
export async function writeIdxFile(path: string, arr: IdxArray, options: { gzip?: boolean } = {}): Promise<void> {
  const raw = encodeIdx(arr);
  await writeFileAtomic(path, options.gzip ? await gzipAsync(raw) : raw);
}
