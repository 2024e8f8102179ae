// A run's status is true: a run whose process is gone without an end record is failed or interrupted, and its event stream ends.
import { spawn } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../helpers/sse.js';
import { buildApp } from '../../src/server/app.js';
import { parseHistory } from '../../src/run/parse.js';
import type { HistoryRecord, ProcessInfo as RunProcess } from '../../src/run/schema.js';
import { runStep } from '../../src/runner/run-step.js';
import { writeDataset } from '../helpers/digit-files.js';
import { Capture } from '../helpers/capture.js';

let runsDir: string;
let app: FastifyInstance;
let url: string;
let deadPid: number;

const start: HistoryRecord = {
  type: 'start', time: '2026-12-01T00:00:00.000Z', step: '01-softmax', epochs: 2, stepsPerEpoch: 5, batchSize: 100, engine: 'tfjs-cpu', initialEpoch: 0,
  optimizer: '', loss: '', lr: [], zoom: 1, xTitle: 'epochs',
};
const batch: HistoryRecord = { type: 'batch', epoch: 0, step: 0, globalStep: 0, loss: 2, accuracy: 0.1, lr: 0.003 };
const lines = (records: HistoryRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
const processFile = (pid: number, host = hostname()): RunProcess => ({ pid, hostname: host, started: '2026-12-01T00:00:00.000Z' });

/** A run folder with the given files (objects are written as JSON). */
async function writeRun(id: string, files: Record<string, string | object>): Promise<void> {
  const dir = join(runsDir, id);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
}

/** The pid of a process that has exited. */
async function pidOfExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

/** Events of a run's stream, read until the server ends it (the test times out if it never does). */
const streamOf = (id: string, headers: Record<string, string> = {}) => readEvents(`${url}/api/runs/${encodeURIComponent(id)}/events`, { headers, timeoutMs: 10_000 });

const statusOf = async (id: string): Promise<string> => (await app.inject(`/api/runs/${encodeURIComponent(id)}`)).json().status;

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'mnist-lab-run-status-'));
  deadPid = await pidOfExitedProcess();
  app = await buildApp({ models: {}, runsDir, limits: { pollMs: 20 } });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await rm(runsDir, { recursive: true, force: true });
});

describe('run status', () => {
  it('a failed data load (only config.json) whose process is gone is failed, and its stream says so and ends', async () => {
    await writeRun('config-only', { 'config.json': { preset: '01-softmax' }, 'process.json': processFile(deadPid) });
    expect(await statusOf('config-only')).toBe('failed');
    expect(await streamOf('config-only')).toEqual([{ id: undefined, event: 'status', data: { status: 'failed' } }]);
  });

  it('a crash without an end record is interrupted when a checkpoint exists, failed otherwise', async () => {
    const history = lines([start, batch]);
    await writeRun('crashed-with-checkpoint', {
      'config.json': {}, 'history.jsonl': history, 'process.json': processFile(deadPid), 'checkpoints/epoch-001-step-0000005/state.json': {},
    });
    await writeRun('crashed', { 'config.json': {}, 'history.jsonl': history, 'process.json': processFile(deadPid) });
    expect(await statusOf('crashed-with-checkpoint')).toBe('interrupted');
    expect(await statusOf('crashed')).toBe('failed');
    const events = await streamOf('crashed-with-checkpoint');
    expect(events.map((e) => e.data)).toEqual([start, batch, { status: 'interrupted' }]);
    expect(events.at(-1)?.event).toBe('status');
  });

  it('a run folder from before process.json, without an end record, is no longer running forever', async () => {
    await writeRun('legacy', { 'config.json': {}, 'history.jsonl': lines([start, batch]) });
    expect(await statusOf('legacy')).toBe('failed');
  });

  it('a process on another machine cannot be seen: without an end record its run counts as gone', async () => {
    await writeRun('elsewhere', { 'config.json': {}, 'history.jsonl': lines([start]), 'process.json': processFile(process.pid, `not-${hostname()}`) });
    expect(await statusOf('elsewhere')).toBe('failed');
  });

  it('a run whose process lives is running, and its stream stays open', async () => {
    await writeRun('alive', { 'config.json': {}, 'history.jsonl': lines([start]), 'process.json': processFile(process.pid) });
    expect(await statusOf('alive')).toBe('running');
    const { runs } = (await app.inject('/api/runs')).json();
    expect(runs.find((r: { id: string }) => r.id === 'alive').status).toBe('running');
    const response = await fetch(`${url}/api/runs/alive/events`, { signal: AbortSignal.timeout(500) });
    await expect(response.text()).rejects.toThrow();
  });

  it('an end record decides, "failed" included', async () => {
    const end: HistoryRecord = { type: 'end', time: '2026-12-01T00:01:00.000Z', status: 'failed', error: 'BAD_DATA_FILE: boom' };
    await writeRun('ended-failed', { 'config.json': {}, 'history.jsonl': lines([start, end]), 'process.json': processFile(process.pid) });
    expect(await statusOf('ended-failed')).toBe('failed');
    expect((await streamOf('ended-failed')).map((e) => e.data)).toEqual([start, end]);
  });

  it('a Last-Event-ID past the end of the file ends the stream with the status', async () => {
    await writeRun('short', { 'config.json': {}, 'history.jsonl': lines([start]), 'process.json': processFile(process.pid) });
    const size = lines([start]).length;
    expect(await streamOf('short', { 'last-event-id': String(size + 100) })).toEqual([{ id: undefined, event: 'status', data: { status: 'running' } }]);
    // Exactly at the end, the stream waits for more lines as it should.
    const atEnd = await fetch(`${url}/api/runs/short/events`, { headers: { 'last-event-id': String(size) }, signal: AbortSignal.timeout(500) });
    await expect(atEnd.text()).rejects.toThrow();
  });
});

describe('what train() leaves behind', () => {
  it('runStep writes process.json when it claims the folder and a failed end record when it throws', async () => {
    const dataDir = join(runsDir, '..', `${runsDir.split('/').at(-1)}-data`);
    await writeDataset(dataDir);
    await writeFile(join(dataDir, 't10k-labels-idx1-ubyte.gz'), 'not an IDX file');
    const out = join(runsDir, 'bad-data');
    await expect(runStep({ step: '01-softmax', dataDir, out, backend: 'cpu' }, { cwd: runsDir, env: {}, log: new Capture() })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
    });
    const written = JSON.parse(await readFile(join(out, 'process.json'), 'utf8')) as RunProcess;
    expect(written).toEqual({ pid: process.pid, hostname: hostname(), started: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const history = parseHistory(await readFile(join(out, 'history.jsonl'), 'utf8'));
    expect(history).toEqual([{ type: 'end', time: expect.any(String), status: 'failed', error: expect.stringContaining('BAD_DATA_FILE') }]);
    // This process is alive, but the end record says the run is over.
    expect(await statusOf('bad-data')).toBe('failed');
    await rm(dataDir, { recursive: true });
  });
});
