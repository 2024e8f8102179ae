// Soak benchmark of `serve`: mixed valid and invalid traffic from many loopback connections, then the server's memory afterwards.
//   node --import tsx bench/soak.ts [--duration 60] [--warmup 5] [--connections 64] [--preset 03-relu-adam] [--backend auto]
//     [--seed 1] [--only <text>: just the kinds of request whose name contains it, e.g. "PNG"]
// Traffic: predictions (JSON, PNG uploads), bad bodies of every kind, dashboard reads, event streams that open
// and drop. Reports requests/s, p50/p99 latency, every status seen per kind, the 5xx count (must be 0), answers
// other than the documented one, and the server's RSS at start, after a warm-up, at its peak and at the end (must
// come back to the warm-up's working size); exits 1 when a check fails. The server runs in a child process (this
// file with --serve-child) so its memory is measured alone.
import { createCanvas } from '@napi-rs/canvas';
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../src/engine/backend.js';
import { saveModel } from '../src/models/io.js';
import { serve } from '../src/commands/serve.js';
import type { HistoryRecord } from '../src/run/schema.js';
import { describeStepFile } from '../src/runner/describe-step.js';
import { Rng } from '../src/util/rng.js';

type ChildMessage =
  | { type: 'ready'; url: string; backend: string }
  | { type: 'memory'; id: number; rss: number; heapUsed: number; external: number; arrayBuffers: number; connections: number; loggedErrors: number };

/** What the parent asks the child: its memory (after a full GC when `gc`), or to stop. */
type ParentMessage = { type: 'memory'; id: number; gc: boolean } | { type: 'stop' };

/**
 * RSS after the run may exceed RSS after the warm-up by this much, or by a quarter of the climb to the peak if
 * that is more. V8 and malloc keep some freed memory for reuse, so RSS never drops to where it started; a leak
 * is RSS that keeps growing past the working size the warm-up reached.
 */
const RSS_SLACK_BYTES = 24 * 2 ** 20;

/**
 * The pause before memory is read, after the warm-up and after the run alike: dropped streams and keep-alive
 * sockets close, timers fire, and the server, idle, hands the memory the traffic freed back to the system.
 */
const SETTLE_MS = 2000;

// ---------------------------------------------------------------- the server (child process)

async function serveChild(modelDir: string, runsDir: string, backend: BackendChoice): Promise<void> {
  let loggedErrors = 0;
  const log = new Writable({
    write(chunk: Buffer, _encoding, done) {
      loggedErrors += chunk.toString().split('\n').filter((line) => line.trim() !== '').length;
      process.stderr.write(chunk);
      done();
    },
  });
  const { app, url } = await serve({ model: modelDir, runsDir, port: 0, backend, print: () => {}, log });
  // The live run grows while the soak runs, as a training would write it.
  const liveHistory = join(runsDir, 'live', 'history.jsonl');
  writeFileSync(join(runsDir, 'live', 'process.json'), JSON.stringify({ pid: process.pid, hostname: hostname(), started: new Date().toISOString() }));
  let step = 0;
  const writer = setInterval(() => appendFileSync(liveHistory, `${JSON.stringify(batchRecord(step++))}\n`), 100);
  const connections = () => new Promise<number>((resolve) => app.server.getConnections((_, n) => resolve(n)));
  process.on('message', async (message: ParentMessage) => {
    if (message.type === 'stop') {
      clearInterval(writer);
      await app.close();
      process.exit(0);
    }
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ type: 'memory', id: message.id, rss, heapUsed, external, arrayBuffers, connections: await connections(), loggedErrors } satisfies ChildMessage);
  });
  process.send?.({ type: 'ready', url, backend: (await initBackend({ backend })).name } satisfies ChildMessage);
}

function batchRecord(step: number): HistoryRecord {
  return { type: 'batch', epoch: 0, step, globalStep: step, loss: 2 / (1 + step / 50), accuracy: 0.1 + step / 2000, lr: 0.003 };
}

// ---------------------------------------------------------------- fixtures

/** A run folder that finished (history, metrics, a picture) and one being written, for the dashboard routes. */
function writeRuns(runsDir: string, picture: Buffer): void {
  const done = join(runsDir, 'done');
  mkdirSync(join(done, 'pictures'), { recursive: true });
  mkdirSync(join(runsDir, 'live'), { recursive: true });
  const start: HistoryRecord = {
    type: 'start', time: new Date().toISOString(), step: '03-relu-adam', epochs: 1, stepsPerEpoch: 100, batchSize: 100, engine: 'tfjs-cpu', initialEpoch: 0,
    optimizer: '', loss: '', lr: [], zoom: 1, xTitle: 'epochs',
  };
  const records: HistoryRecord[] = [start, ...Array.from({ length: 100 }, (_, i) => batchRecord(i)), { type: 'end', time: start.time, status: 'completed' }];
  writeFileSync(join(done, 'config.json'), JSON.stringify({ preset: '03-relu-adam' }));
  writeFileSync(join(done, 'history.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  writeFileSync(join(done, 'pictures', 'curves.png'), picture);
  writeFileSync(join(runsDir, 'live', 'config.json'), JSON.stringify({ preset: '03-relu-adam' }));
  writeFileSync(join(runsDir, 'live', 'history.jsonl'), `${JSON.stringify(start)}\n`);
}

/** A drawn 7 (thick white strokes on black) as PNG and as JPEG. */
function drawnDigit(size: number): { png: Buffer; jpeg: Buffer } {
  const canvas = createCanvas(size, size);
  const context = canvas.getContext('2d');
  context.fillStyle = 'black';
  context.fillRect(0, 0, size, size);
  context.strokeStyle = 'white';
  context.lineWidth = size / 9;
  context.beginPath();
  context.moveTo(size * 0.25, size * 0.2);
  context.lineTo(size * 0.75, size * 0.2);
  context.lineTo(size * 0.4, size * 0.85);
  context.stroke();
  return { png: canvas.toBuffer('image/png'), jpeg: canvas.toBuffer('image/jpeg') };
}

const rows = (value: (x: number, y: number) => unknown) => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => value(x, y)));
const digitRows = () => rows((x, y) => (x >= 10 && x < 18 && y >= 4 && y < 24 ? 0.9 : 0));

// ---------------------------------------------------------------- traffic

interface Kind {
  name: string;
  weight: number;
  /** The status web/README.md documents for it (an oversized upload may also see the socket closed: EPIPE). */
  expect: number | (number | string)[];
  /** A stream the client holds open on purpose: counted, but kept out of the latency percentiles. */
  held?: boolean;
  send(): Promise<number>;
}

interface Tally {
  statuses: Record<string, number>;
  latencies: number[];
  unexpected: number;
}

function traffic(url: string, model: string, rng: Rng): { kinds: Kind[]; close(): void } {
  const { port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      // The server may answer (413) and close before a large body is written: the answer is what counts.
      req.on('error', (error: NodeJS.ErrnoException) => reject(error));
      req.end(body);
    });
  const json = (body: unknown) => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const predict = (headers: Record<string, string>, body: Buffer, name = model) => send('POST', `/v1/models/${name}:predict`, headers, body);
  const asJson = { 'content-type': 'application/json' };
  const asPng = { 'content-type': 'image/png' };
  const small = drawnDigit(28);
  const large = drawnDigit(280);
  const one = json({ instances: [{ image: digitRows() }] });
  const eight = json({ instances: Array.from({ length: 8 }, () => ({ image: digitRows() })) });
  const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  /** Opens an event stream, reads it for a while, drops it. */
  const stream = (id: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/runs/${id}/events`, agent: false }, (res: IncomingMessage) => {
        res.resume();
        const drop = setTimeout(() => req.destroy(), 20 + rng.next() * 480);
        res.on('end', () => clearTimeout(drop));
        res.on('close', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
  const kinds: Kind[] = [
    { name: 'predict JSON, 1 digit', weight: 25, expect: 200, send: () => predict(asJson, one) },
    { name: 'predict JSON, 8 digits', weight: 6, expect: 200, send: () => predict(asJson, eight) },
    { name: 'predict PNG 28×28', weight: 8, expect: 200, send: () => predict(asPng, small.png) },
    { name: 'predict PNG 280×280', weight: 6, expect: 200, send: () => predict(asPng, large.png) },
    { name: 'bad JSON', weight: 3, expect: 400, send: () => predict(asJson, json('{"instances": [{"image": [[0.1,')) },
    { name: 'wrong shape', weight: 3, expect: 400, send: () => predict(asJson, json({ instances: [{ image: digitRows().slice(1) }] })) },
    { name: 'pixel out of range', weight: 2, expect: 400, send: () => predict(asJson, json({ instances: [{ image: rows(() => 255) }] })) },
    { name: 'unknown key', weight: 2, expect: 400, send: () => predict(asJson, json({ instances: [{ image: digitRows(), label: 7 }] })) },
    { name: 'no body', weight: 1, expect: 400, send: () => predict({}, Buffer.alloc(0)) },
    { name: 'text/plain', weight: 2, expect: 415, send: () => predict({ 'content-type': 'text/plain' }, one) },
    { name: 'PNG cut short', weight: 3, expect: 400, send: () => predict(asPng, large.png.subarray(0, large.png.length - 40)) },
    { name: 'JPEG labelled PNG', weight: 2, expect: 400, send: () => predict(asPng, large.jpeg) },
    { name: 'body over 4 MiB', weight: 0.3, expect: [413, 'EPIPE', 'ECONNRESET'], send: () => predict(asJson, huge) },
    { name: 'unknown model', weight: 1, expect: 404, send: () => predict(asJson, one, 'nope') },
    { name: 'foreign Host', weight: 1, expect: 403, send: () => send('GET', '/v1/models', { host: 'rebound.example' }) },
    { name: 'bad training request', weight: 1, expect: 400, send: () => send('POST', '/api/runs', asJson, json({ preset: '../x' })) },
    { name: 'GET /health', weight: 2, expect: 200, send: () => send('GET', '/health') },
    { name: 'GET /api/runs', weight: 4, expect: 200, send: () => send('GET', '/api/runs') },
    { name: 'GET /api/runs/done', weight: 2, expect: 200, send: () => send('GET', '/api/runs/done') },
    { name: 'GET a picture', weight: 2, expect: 200, send: () => send('GET', '/api/runs/done/pictures/curves.png') },
    { name: 'GET a missing picture', weight: 1, expect: 404, send: () => send('GET', '/api/runs/done/pictures/nope.png') },
    { name: 'events of a finished run', weight: 2, expect: 200, send: () => stream('done') },
    { name: 'events of a live run, dropped', weight: 4, expect: 200, held: true, send: () => stream('live') },
  ];
  return { kinds, close: () => agent.destroy() };
}

function pick(kinds: Kind[], rng: Rng): Kind {
  const total = kinds.reduce((n, k) => n + k.weight, 0);
  let r = rng.next() * total;
  for (const kind of kinds) if ((r -= kind.weight) < 0) return kind;
  return kinds[kinds.length - 1];
}

/** `connections` loops, each sending one request after another until the deadline. */
async function drive(kinds: Kind[], connections: number, seconds: number, seed: number): Promise<Map<string, Tally>> {
  const tallies = new Map(kinds.map((k) => [k.name, { statuses: {}, latencies: [], unexpected: 0 } as Tally]));
  const deadline = performance.now() + seconds * 1000;
  const loop = async (index: number) => {
    const rng = new Rng(seed * 1000 + index);
    while (performance.now() < deadline) {
      const kind = pick(kinds, rng);
      const tally = tallies.get(kind.name) as Tally;
      const started = performance.now();
      const allowed = [kind.expect].flat();
      let outcome: string;
      try {
        const status = await kind.send();
        outcome = String(status);
        if (!allowed.includes(status)) tally.unexpected += 1;
      } catch (error) {
        outcome = (error as NodeJS.ErrnoException).code ?? 'error';
        if (!allowed.includes(outcome)) tally.unexpected += 1;
      }
      if (!kind.held) tally.latencies.push(performance.now() - started);
      tally.statuses[outcome] = (tally.statuses[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => loop(i)));
  return tallies;
}

// ---------------------------------------------------------------- the run

let questions = 0;

/** The child's memory and connections now (after a full GC when `gc`); each answer is matched to its question. */
function ask(child: ChildProcess, gc: boolean): Promise<Extract<ChildMessage, { type: 'memory' }>> {
  const id = ++questions;
  return new Promise((resolve) => {
    const onMessage = (reply: ChildMessage) => {
      if (reply.type !== 'memory' || reply.id !== id) return;
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    child.send({ type: 'memory', id, gc } satisfies ParentMessage);
  });
}

function summarise(tallies: Map<string, Tally>): { latencies: number[]; statuses: Record<string, number>; fiveHundreds: number; unexpected: number } {
  const all = [...tallies.values()];
  const statuses: Record<string, number> = {};
  for (const t of all) for (const [status, n] of Object.entries(t.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return {
    latencies: all.flatMap((t) => t.latencies).sort((a, b) => a - b),
    statuses,
    fiveHundreds: Object.entries(statuses).filter(([status]) => /^5\d\d$/.test(status)).reduce((n, [, count]) => n + count, 0),
    unexpected: all.reduce((n, t) => n + t.unexpected, 0),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '64' },
      preset: { type: 'string', default: '03-relu-adam' },
      backend: { type: 'string', default: 'auto' },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      'serve-child': { type: 'string' },
      'runs-dir': { type: 'string' },
    },
  });
  const backend = values.backend as BackendChoice;
  if (values['serve-child'] !== undefined) return serveChild(values['serve-child'], values['runs-dir'] as string, backend);
  const [seconds, connections, seed] = [Number(values.duration), Number(values.connections), Number(values.seed)];
  const warmupSeconds = Number(values.warmup ?? Math.min(5, seconds / 4));

  // Untrained weights predict as fast as trained ones; the preset sets the model's size.
  const modelDir = join(import.meta.dirname, '../build/bench-model', values.preset);
  await initBackend({ backend: 'cpu' });
  const model = (await describeStepFile(values.preset)).model;
  await saveModel(model, modelDir);
  model.dispose();
  const runsDir = mkdtempSync(join(tmpdir(), 'mnist-lab-soak-'));
  writeRuns(runsDir, drawnDigit(64).png);

  const child = fork(import.meta.filename, ['--serve-child', join(modelDir), '--runs-dir', runsDir, '--backend', backend], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
  });
  try {
    const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve) =>
      child.once('message', (m: ChildMessage) => m.type === 'ready' && resolve(m)),
    );
    const atStart = await ask(child, true);
    const { kinds, close } = traffic(ready.url, values.preset, new Rng(seed));
    const chosen = kinds.filter((kind) => values.only === undefined || kind.name.includes(values.only));
    // Warm-up: JIT, pools, V8's heap and the allocator grow to their working size; the leak check starts after it.
    const warmup = summarise(await drive(chosen, connections, warmupSeconds, seed + 1));
    await sleep(SETTLE_MS);
    const afterWarmup = await ask(child, true);
    let peak = Math.max(atStart.rss, afterWarmup.rss);
    const sampler = setInterval(() => void ask(child, false).then((m) => (peak = Math.max(peak, m.rss))), 250);
    const began = performance.now();
    const tallies = await drive(chosen, connections, seconds, seed);
    const elapsed = (performance.now() - began) / 1000;
    close();
    clearInterval(sampler);
    await sleep(SETTLE_MS);
    const atEnd = await ask(child, true);
    peak = Math.max(peak, atEnd.rss);

    const run = summarise(tallies);
    const requests = Object.values(run.statuses).reduce((a, b) => a + b, 0);
    const fiveHundreds = run.fiveHundreds + warmup.fiveHundreds;
    const unexpected = run.unexpected + warmup.unexpected;
    const rssBound = afterWarmup.rss + Math.max(RSS_SLACK_BYTES, (peak - afterWarmup.rss) / 4);
    const report = {
      server: { backend: ready.backend, model: values.preset },
      duration_s: Number(elapsed.toFixed(1)),
      connections,
      requests,
      requests_per_s: Math.round(requests / elapsed),
      latency_ms: { p50: Number(percentile(run.latencies, 50).toFixed(1)), p99: Number(percentile(run.latencies, 99).toFixed(1)) },
      statuses: run.statuses,
      by_kind: Object.fromEntries([...tallies].map(([name, t]) => [name, { ...t.statuses, ...(t.unexpected ? { unexpected: t.unexpected } : {}) }])),
      warmup: { duration_s: warmupSeconds, statuses: warmup.statuses },
      '5xx': fiveHundreds,
      '5xx_logged_by_server': atEnd.loggedErrors,
      unexpected_answers: unexpected,
      open_connections_after: atEnd.connections,
      rss_mb: { start: mb(atStart.rss), after_warmup: mb(afterWarmup.rss), peak: mb(peak), end: mb(atEnd.rss), end_bound: mb(rssBound) },
      heap_used_mb_after_gc: { start: mb(atStart.heapUsed), after_warmup: mb(afterWarmup.heapUsed), end: mb(atEnd.heapUsed) },
      // Memory V8 is told of outside its heap (array buffers, and native buffers an addon reports): where RSS may stay.
      external_mb_after_gc: { start: mb(atStart.external), after_warmup: mb(afterWarmup.external), end: mb(atEnd.external) },
      array_buffers_mb_after_gc: { start: mb(atStart.arrayBuffers), after_warmup: mb(afterWarmup.arrayBuffers), end: mb(atEnd.arrayBuffers) },
    };
    console.log(JSON.stringify(report, null, 2));
    const failures = [
      fiveHundreds > 0 || atEnd.loggedErrors > 0 ? `${fiveHundreds} 5xx answers (${atEnd.loggedErrors} logged)` : null,
      unexpected > 0 ? `${unexpected} answers other than the documented status` : null,
      atEnd.connections > 0 ? `${atEnd.connections} connections still open after the clients left` : null,
      atEnd.rss > rssBound ? `RSS did not come back: ${mb(atEnd.rss)} MB after, ${mb(afterWarmup.rss)} MB after the warm-up, peak ${mb(peak)} MB` : null,
    ].filter((f) => f !== null);
    for (const failure of failures) console.error(`FAIL: ${failure}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    child.send({ type: 'stop' } satisfies ParentMessage);
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(runsDir, { recursive: true, force: true });
  }
}

await main();
