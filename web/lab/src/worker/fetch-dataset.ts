// A dataset in the browser: the four `.gz` files fetched (or taken from Cache Storage), gunzipped, checked as in Node.
import { DATASETS, type DatasetFile } from '../../../../src/data/datasets.js';
import { readDataset, type DataFileBytes } from '../../../../src/data/dataset-files.js';
import { isGzip } from '../../../../src/data/idx.js';
import type { Dataset, DatasetName } from '../../../../src/data/types.js';
import { LabError } from '../../../../src/errors.js';

/** Cache Storage bucket of the verified `.gz` responses; a new name here drops every older copy's use. */
const CACHE_NAME = 'mnist-lab-data-v1';
/** A response that sends nothing for this long is given up (a stalled host must not hang the page). */
const STALL_MS = 30_000;

export interface FetchDatasetOptions {
  dataset: DatasetName;
  /** The folder URL holding the four files, ending in `/`. */
  base: string;
  limit?: number;
  testLimit?: number;
}

export interface FetchedDataset {
  data: Dataset;
  /** True when every file came from Cache Storage. */
  fromCache: boolean;
  /** False in an insecure context, which has no WebCrypto: the files were parsed and size-checked only. */
  verified: boolean;
}

const SITE_HINT =
  '`npm run build:site` puts the four .gz files in data/<dataset>/ beside the page (from the folder `mnist-lab data fetch` fills); or give the page ?<dataset>=<folder URL>';

/** Reads a body to the end, failing (never hanging) when no bytes arrive for STALL_MS. */
async function readBody(response: Response, url: string): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LabError('DOWNLOAD_FAILED', `${url}: no data for ${STALL_MS / 1000} s`, { hint: SITE_HINT })), STALL_MS);
    });
    const { done, value } = await Promise.race([reader.read(), stalled]).finally(() => clearTimeout(timer));
    if (done) break;
    chunks.push(value);
  }
  return concat(chunks);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** gzip bytes inflated with DecompressionStream; raw bytes as they are (a host that sent Content-Encoding: gzip). */
async function gunzipIfNeeded(bytes: Uint8Array, url: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    // The browser's own message says nothing more ("Failed to fetch"): the cause stays for the console.
    throw new LabError('BAD_DATA_FILE', `${url}: corrupt or truncated gzip`, {
      hint: `the file was cut short or damaged; ${SITE_HINT}`,
      cause,
    });
  }
}

async function download(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new LabError('DATA_NOT_FOUND', `${url}: the request failed (${(cause as Error).message})`, { hint: SITE_HINT, cause });
  }
  if (!response.ok) {
    throw new LabError('DATA_NOT_FOUND', `${url}: HTTP ${response.status} ${response.statusText}`.trim(), { hint: SITE_HINT });
  }
  return readBody(response, url);
}

/** Cache Storage, where the page may use it (a secure context); null elsewhere. */
async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
  } catch {
    return null; // storage denied (private modes): fetch every time
  }
}

/** One pass over the four files: cached copies when `useCache`, downloads otherwise; the downloads are returned. */
async function readAll(options: FetchDatasetOptions, cache: Cache | null, verify: boolean) {
  const downloaded = new Map<string, Uint8Array>();
  const read = async (file: DatasetFile): Promise<DataFileBytes> => {
    const url = fileUrl(options.base, file);
    const cached = await cache?.match(url);
    let bytes: Uint8Array;
    if (cached) {
      bytes = new Uint8Array(await cached.arrayBuffer());
    } else {
      bytes = await download(url);
      downloaded.set(url, bytes);
    }
    return { source: url, bytes: await gunzipIfNeeded(bytes, url) };
  };
  const data = await readDataset({ ...options, from: options.base, read, verify });
  return { data, downloaded };
}

const fileUrl = (base: string, file: DatasetFile): string => new URL(`${file.name}.gz`, base).href;

/**
 * Loads `dataset` from `base`. Each file is taken from the cache when there, else downloaded; only after all four
 * passed every check are the downloads cached. When a check fails and cached copies took part, they are dropped
 * and everything is fetched again once.
 */
export async function fetchDataset(options: FetchDatasetOptions): Promise<FetchedDataset> {
  const cache = await openCache();
  const verified = globalThis.crypto?.subtle !== undefined;
  const urls = Object.values(DATASETS[options.dataset].files).map((file) => fileUrl(options.base, file));
  let result: Awaited<ReturnType<typeof readAll>>;
  try {
    result = await readAll(options, cache, verified);
  } catch (error) {
    const failedCheck = error instanceof LabError && (error.code === 'BAD_DATA_FILE' || error.code === 'CHECKSUM_MISMATCH');
    const cachedCopies = cache === null ? [] : (await Promise.all(urls.map((url) => cache.match(url)))).filter(Boolean);
    if (cache === null || !failedCheck || cachedCopies.length === 0) throw error;
    await Promise.all(urls.map((url) => cache.delete(url)));
    result = await readAll(options, null, verified);
  }
  if (cache !== null && verified) {
    for (const [url, bytes] of result.downloaded) await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
  }
  return { data: result.data, fromCache: result.downloaded.size === 0, verified };
}
