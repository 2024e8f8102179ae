// Downloads from a local HTTP server (never the internet): mirrors in order, resume with Range, clean restarts,
// checksum failures, stalls, and atomic final files.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_ROLES, type DatasetFile, type DatasetFileRole } from '../../src/data/datasets.js';
import { fetchDataset, type FetchProgress } from '../../src/data/fetch.js';
import { encodeIdx } from '../../src/data/idx.js';
import { loadDataset } from '../../src/data/load.js';
import { sha256Hex } from '../../src/data/verify.js';
import { imagesArray, indexedDigits, labelsArray } from '../helpers/digit-files.js';
import { MNIST_DIR } from '../helpers/paths.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs('fetch');

// The four fixture files; images gzip level 0 so the body is large enough (~160 kB) to cut midway.
const train = indexedDigits(150);
const test = indexedDigits(40);
const raw: Record<DatasetFileRole, Uint8Array> = {
  trainImages: encodeIdx(imagesArray(train)),
  trainLabels: encodeIdx(labelsArray(train)),
  testImages: encodeIdx(imagesArray(test)),
  testLabels: encodeIdx(labelsArray(test)),
};
const names: Record<DatasetFileRole, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};
const files = Object.fromEntries(
  await Promise.all(FILE_ROLES.map(async (role) => [role, { name: names[role], sha256: await sha256Hex(raw[role]) }])),
) as Record<DatasetFileRole, DatasetFile>;
const served = new Map(FILE_ROLES.map((role) => [`${names[role]}.gz`, gzipSync(raw[role], { level: 0 })]));
/** Per served name, a valid gzip of a different file (last byte changed): right name, wrong checksum. */
const other = new Map(
  FILE_ROLES.map((role) => {
    const changed = raw[role].slice();
    changed[changed.length - 1] ^= 1;
    return [`${names[role]}.gz`, gzipSync(changed)];
  }),
);

interface Logged {
  path: string;
  range?: string;
  status: number;
}
const log: Logged[] = [];
const seen = new Map<string, number>();
let server: Server;
let base: string;

/** Sends `body` honouring a Range header (206) unless `ranges` is false. */
function send(req: IncomingMessage, res: ServerResponse, body: Uint8Array, ranges: boolean): void {
  const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (ranges && match) {
    const start = Number(match[1]);
    if (start >= body.length) return void res.writeHead(416).end();
    res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    return void res.end(body.subarray(start));
  }
  res.writeHead(200, { 'content-length': body.length });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const [, mirror, name] = (req.url ?? '').split('/');
  const body = served.get(name);
  const count = (seen.get(req.url ?? '') ?? 0) + 1;
  seen.set(req.url ?? '', count);
  res.on('finish', () => log.push({ path: req.url ?? '', range: req.headers.range, status: res.statusCode }));
  if (mirror === 'real') return void serveReal(req, res, name);
  if (body === undefined || mirror === 'missing') return void res.writeHead(404).end();
  if (mirror === 'good') return send(req, res, body, true);
  if (mirror === 'norange') return send(req, res, body, false);
  if (mirror === 'wrong') return send(req, res, other.get(name) as Uint8Array, true);
  if (mirror === 'drop' || mirror === 'dropnorange') {
    if (count > 1) return send(req, res, body, mirror === 'drop');
    // First request: promise the whole file, send half, cut the connection (after a pause, so the client reads the
    // half first: a fetch body stream that errors discards the chunks it has not handed out yet).
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 200));
    log.push({ path: req.url ?? '', range: req.headers.range, status: -1 });
    return;
  }
  if (mirror === 'stall') {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, 10)); // then nothing
    return;
  }
  res.writeHead(500).end();
}

/** Serves the real MNIST .gz files (MNIST_DIR). */
function serveReal(req: IncomingMessage, res: ServerResponse, name: string): void {
  readFile(join(MNIST_DIR, basename(name))).then(
    (body) => send(req, res, body, true),
    () => res.writeHead(404).end(),
  );
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const mirror = (name: string) => `${base}/${name}/`;
const fetchInto = (dir: string, mirrors: string[], extra: { onProgress?: (p: FetchProgress) => void; stallTimeoutMs?: number } = {}) =>
  fetchDataset({ dataset: 'mnist', dir, mirrors, files, ...extra });
const requestsSince = (start: number) => log.slice(start);
/** The offset a Range header asks to resume from, at most half the images file (what the dropping server sent). */
function resumedAt(range: string | undefined): number {
  const offset = Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? 0);
  expect(offset).toBeLessThanOrEqual((served.get('train-images-idx3-ubyte.gz')?.length as number) >> 1);
  return offset;
}

describe('fetchDataset', () => {
  it('downloads, verifies and names the four files; a second run finds them present without a request', async () => {
    const dir = await tempDir();
    const progress: FetchProgress[] = [];
    const result = await fetchInto(dir, [mirror('good')], { onProgress: (p) => progress.push(p) });
    expect(result.map((r) => [r.name, r.status, r.url])).toEqual(
      FILE_ROLES.map((role) => [names[role], 'downloaded', `${mirror('good')}${names[role]}.gz`]),
    );
    expect((await readdir(dir)).sort()).toEqual([...served.keys()].sort());
    const last = progress.filter((p) => p.file === 'train-images-idx3-ubyte.gz').at(-1);
    const size = served.get('train-images-idx3-ubyte.gz')?.length;
    expect(last).toMatchObject({ done: size, total: size });
    const data = await loadDataset({ dir, dataset: 'mnist' });
    expect(data.train.images).toEqual(train.images);

    const before = log.length;
    const again = await fetchInto(dir, [mirror('good')]);
    expect(again.map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']);
    expect(requestsSince(before)).toEqual([]);
  });

  it('tries mirrors in order: a 404 mirror, then a good one', async () => {
    const dir = await tempDir();
    const before = log.length;
    const result = await fetchInto(dir, [mirror('missing'), mirror('good')]);
    expect(result.every((r) => r.url?.startsWith(mirror('good')))).toBe(true);
    expect(requestsSince(before).slice(0, 2).map((r) => [r.path, r.status])).toEqual([
      ['/missing/train-images-idx3-ubyte.gz', 404],
      ['/good/train-images-idx3-ubyte.gz', 200],
    ]);
  });

  it('resumes a connection dropped midway with a Range request', async () => {
    const dir = await tempDir();
    const before = log.length;
    await fetchInto(dir, [mirror('drop')]);
    const images = requestsSince(before).filter((r) => r.path === '/drop/train-images-idx3-ubyte.gz');
    expect(images.map((r) => r.status)).toEqual([-1, 206]);
    expect(resumedAt(images[1].range)).toBeGreaterThan(0);
    expect((await loadDataset({ dir, dataset: 'mnist' })).train.images).toEqual(train.images);
  });

  it('restarts cleanly when the server ignores Range', async () => {
    const dir = await tempDir();
    const before = log.length;
    await fetchInto(dir, [mirror('dropnorange')]);
    const images = requestsSince(before).filter((r) => r.path === '/dropnorange/train-images-idx3-ubyte.gz');
    expect(images.map((r) => r.status)).toEqual([-1, 200]);
    expect(resumedAt(images[1].range)).toBeGreaterThan(0); // asked to resume, got the whole file: restarted
    expect((await loadDataset({ dir, dataset: 'mnist' })).train.images).toEqual(train.images);
  });

  it('resumes a .part left by an earlier run, and restarts a damaged one', async () => {
    const dir = await tempDir();
    const gz = served.get('train-labels-idx1-ubyte.gz') as Uint8Array;
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz.part'), gz.subarray(0, 100));
    const imagesPart = new Uint8Array(500).fill(7); // not the start of the real file
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz.part'), imagesPart);
    const before = log.length;
    await fetchInto(dir, [mirror('good')]);
    const requests = requestsSince(before);
    expect(requests.find((r) => r.path.endsWith('train-labels-idx1-ubyte.gz'))?.range).toBe('bytes=100-');
    expect(requests.filter((r) => r.path.endsWith('train-images-idx3-ubyte.gz')).map((r) => r.range)).toEqual([
      'bytes=500-',
      undefined,
    ]);
    expect((await readdir(dir)).some((f) => f.endsWith('.part'))).toBe(false);
    expect((await loadDataset({ dir, dataset: 'mnist' })).train.labels).toEqual(train.labels);
  });

  it('rejects a mirror whose file fails the checksum with CHECKSUM_MISMATCH naming the URL, leaving nothing', async () => {
    const dir = await tempDir();
    await expect(fetchInto(dir, [mirror('wrong')])).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`${mirror('wrong')}train-images-idx3-ubyte.gz: `),
    });
    expect(await readdir(dir)).toEqual([]);
    const result = await fetchInto(dir, [mirror('wrong'), mirror('good')]);
    expect(result[0].url).toBe(`${mirror('good')}train-images-idx3-ubyte.gz`);
  });

  it('fails with DOWNLOAD_FAILED naming every URL tried, and never hangs on a stalled server', async () => {
    const dir = await tempDir();
    const error = await fetchInto(dir, [mirror('missing'), mirror('stall')], { stallTimeoutMs: 300 }).catch((e) => e);
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toBe(
      [
        'could not download train-images-idx3-ubyte.gz; tried:',
        `  ${mirror('missing')}train-images-idx3-ubyte.gz: HTTP 404 Not Found`,
        `  ${mirror('stall')}train-images-idx3-ubyte.gz: no data for 300 ms`,
      ].join('\n'),
    );
    const closed = await closedPort();
    const down = await fetchInto(dir, [`http://127.0.0.1:${closed}/`]).catch((e) => e);
    expect(down.code).toBe('DOWNLOAD_FAILED');
    expect(down.message).toContain(`127.0.0.1:${closed}/train-images-idx3-ubyte.gz: fetch failed (ECONNREFUSED)`);
  });

  it('fetches the real MNIST files against the catalogue checksums', async () => {
    const dir = await tempDir();
    const result = await fetchDataset({ dataset: 'mnist', dir, mirrors: [mirror('real')] });
    expect(result.map((r) => r.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    const data = await loadDataset({ dir, dataset: 'mnist', verify: true });
    expect([data.train.count, data.test.count]).toEqual([60000, 10000]);
  });

  it('rejects an empty mirror list or a mirror that is not an http(s) URL', async () => {
    const dir = await tempDir();
    await expect(fetchInto(dir, [])).rejects.toThrow('mirrors must be at least one base URL; got []');
    await expect(fetchInto(dir, ['ftp://x/'])).rejects.toThrow(/mirror must be an http\(s\) base URL .*; got "ftp:\/\/x\/"/);
    await expect(fetchInto(dir, ['not a url'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('replaces an invalid file already present, removing it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx(labelsArray(indexedDigits(3))));
    const result = await fetchInto(dir, [mirror('good')]);
    expect(result[3]).toMatchObject({ status: 'downloaded', path: join(dir, 't10k-labels-idx1-ubyte.gz') });
    expect(existsSync(join(dir, 't10k-labels-idx1-ubyte'))).toBe(false);
  });
});
