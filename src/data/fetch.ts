// Downloads a dataset's four files from mirrors: resumable .part files, SHA-256 of the decompressed bytes, atomic rename.
import { open, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badArgument, LabError } from '../errors.js';
import { DATASETS, FILE_ROLES, type DatasetFile, type DatasetFileRole } from './datasets.js';
import { isGzip } from './idx.js';
import { gunzipIfNeeded } from './idx-file.js';
import type { DatasetName } from './types.js';
import { checkSha256 } from './verify.js';

export interface FetchProgress {
  /** File name as served, e.g. `train-images-idx3-ubyte.gz`. */
  file: string;
  url: string;
  /** Bytes of the file on disk so far (a resumed download starts above 0). */
  done: number;
  /** Size of the whole file when the server says it. */
  total?: number;
}

export interface FetchOptions {
  dataset: DatasetName;
  /** Folder to download into (created if needed); usually cacheDir(env, dataset). */
  dir: string;
  /** Base URLs tried in order (default: the catalogue's). */
  mirrors?: readonly string[];
  /** Expected files and checksums (default: the catalogue's). */
  files?: Record<DatasetFileRole, DatasetFile>;
  fetchImpl?: typeof fetch;
  onProgress?: (progress: FetchProgress) => void;
  /** Give up on a response that delivers no bytes for this long (default 30 s). */
  stallTimeoutMs?: number;
}

export interface FetchedFile {
  name: string;
  path: string;
  /** `present`: a valid file was already there; `downloaded`: fetched and verified now. */
  status: 'present' | 'downloaded';
  url?: string;
}

/** Tries per mirror after a broken connection (each resumes where the last stopped). */
const ATTEMPTS_PER_MIRROR = 3;
const DEFAULT_STALL_MS = 30_000;

/** Why one try failed; `retryable` when another try on the same mirror may succeed (and resume). */
class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly checksum = false,
  ) {
    super(message);
  }
}

interface Context {
  dir: string;
  fetchImpl: typeof fetch;
  onProgress?: (progress: FetchProgress) => void;
  stallTimeoutMs: number;
}

/** Downloads whichever of the four files are missing or invalid in `dir`; rejects with DOWNLOAD_FAILED or CHECKSUM_MISMATCH. */
export async function fetchDataset(options: FetchOptions): Promise<FetchedFile[]> {
  const { dataset, dir } = options;
  const mirrors = checkMirrors(options.mirrors ?? DATASETS[dataset].mirrors);
  const files = options.files ?? DATASETS[dataset].files;
  const context: Context = {
    dir,
    fetchImpl: options.fetchImpl ?? fetch,
    onProgress: options.onProgress,
    stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_MS,
  };
  await mkdir(dir, { recursive: true });
  const results: FetchedFile[] = [];
  for (const role of FILE_ROLES) results.push(await ensureFile(files[role], mirrors, context));
  return results;
}

function checkMirrors(mirrors: readonly string[]): readonly string[] {
  if (mirrors.length === 0) throw badArgument('mirrors', 'at least one base URL', mirrors);
  for (const mirror of mirrors) {
    if (!URL.canParse(mirror) || !/^https?:$/.test(new URL(mirror).protocol)) {
      throw badArgument('mirror', 'an http(s) base URL such as https://example.org/mnist/', mirror);
    }
  }
  return mirrors;
}

/** The path of a valid copy of `file` already in `dir` (raw or .gz), if any. */
async function findValid(dir: string, file: DatasetFile): Promise<string | undefined> {
  for (const path of [join(dir, file.name), join(dir, `${file.name}.gz`)]) {
    try {
      await checkSha256(await gunzipIfNeeded(await readFile(path), path), file, path);
      return path;
    } catch {
      // missing, unreadable or wrong: download it
    }
  }
  return undefined;
}

const mirrorUrl = (base: string, served: string): string => new URL(served, base.endsWith('/') ? base : `${base}/`).href;

async function ensureFile(file: DatasetFile, mirrors: readonly string[], context: Context): Promise<FetchedFile> {
  const present = await findValid(context.dir, file);
  if (present !== undefined) return { name: file.name, path: present, status: 'present' };
  const served = `${file.name}.gz`;
  const part = join(context.dir, `${served}.part`);
  const tried: string[] = [];
  let onlyChecksums = true;
  for (const base of mirrors) {
    const url = mirrorUrl(base, served);
    for (let attempt = 1; attempt <= ATTEMPTS_PER_MIRROR; attempt++) {
      const resumedFrom = await sizeOf(part);
      try {
        await download(url, part, served, context);
        const path = await verifyAndKeep(part, file, context.dir);
        return { name: file.name, path, status: 'downloaded', url };
      } catch (error) {
        const failure = error instanceof AttemptFailure ? error : new AttemptFailure(String(error), false);
        if (failure.checksum) await rm(part, { force: true });
        // A bad file built on an earlier part may be the old part's fault: one clean restart on this mirror.
        const retry = failure.checksum ? resumedFrom > 0 : failure.retryable;
        if (retry && attempt < ATTEMPTS_PER_MIRROR) continue;
        tried.push(`  ${url}: ${failure.message}`);
        onlyChecksums &&= failure.checksum;
        break;
      }
    }
  }
  const code = onlyChecksums && tried.length > 0 ? 'CHECKSUM_MISMATCH' : 'DOWNLOAD_FAILED';
  throw new LabError(code, `could not download ${served}; tried:\n${tried.join('\n')}`, {
    hint: `check the network and run it again (an interrupted download resumes); a verified copy placed by hand in ${context.dir} is used as it is`,
    exitCode: 1,
  });
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** One HTTP try: resumes `part` with a Range request when it exists, restarts when the server sends the whole file. */
async function download(url: string, part: string, served: string, context: Context): Promise<void> {
  const offset = await sizeOf(part);
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), context.stallTimeoutMs);
  const stillAlive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), context.stallTimeoutMs);
  };
  let written = 0;
  try {
    const response = await context.fetchImpl(url, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      signal: controller.signal,
    });
    if (response.status === 416 && offset > 0) {
      await response.body?.cancel();
      return; // the part is already whole: verification decides
    }
    const resumes = response.status === 206 && offset > 0 && contentRangeStart(response) === offset;
    if (!resumes && response.status !== 200) {
      await response.body?.cancel();
      throw new AttemptFailure(`HTTP ${response.status} ${response.statusText}`.trim(), false);
    }
    const start = resumes ? offset : 0;
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? start + length : undefined;
    const handle = await open(part, resumes ? 'a' : 'w');
    try {
      if (response.body === null) throw new AttemptFailure('empty response body', false);
      const reader = response.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        stillAlive();
        await handle.write(chunk.value);
        written += chunk.value.length;
        context.onProgress?.({ file: served, url, done: start + written, total });
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    // A broken connection is worth another try (it resumes); a stall only if bytes had been flowing.
    if (controller.signal.aborted) throw new AttemptFailure(`no data for ${context.stallTimeoutMs} ms`, written > 0);
    throw new AttemptFailure(describeNetworkError(error), true);
  } finally {
    clearTimeout(timer);
  }
}

function contentRangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

function describeNetworkError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : String(e.message ?? error);
}

/** Checks the finished part and renames it to its final name (.gz if gzip, raw otherwise); returns that path. */
async function verifyAndKeep(part: string, file: DatasetFile, dir: string): Promise<string> {
  const bytes = await readFile(part);
  try {
    await checkSha256(await gunzipIfNeeded(bytes, part), file, part);
  } catch (error) {
    throw new AttemptFailure((error as Error).message, true, true);
  }
  const gz = join(dir, `${file.name}.gz`);
  const raw = join(dir, file.name);
  const [keep, stale] = isGzip(bytes) ? [gz, raw] : [raw, gz];
  await rename(part, keep);
  await rm(stale, { force: true }); // an invalid copy under the other name would otherwise shadow this one
  return keep;
}
