// A tiny study on a real redis-server with two worker processes, one SIGKILLed mid-trial: every trial still ends with exactly one result.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabError } from '../../src/errors.js';
import { tuneCommand } from '../../src/tune/commands.js';
import { shouldStopByMedian } from '../../src/tune/median-stop.js';
import { RespConnection } from '../../src/tune/resp-connection.js';
import type { TrialResult } from '../../src/tune/store.js';
import { captureIo, tempDir, writeStudy } from './helpers.js';

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
if (!hasRedis) console.warn('queue.test.ts skipped: redis-server is not on PATH (apt-get install redis-server)');

const TIMINGS = { lockDurationMs: 2000, stalledIntervalMs: 1000, watchdogMs: 500, stopPollMs: 200 };
const WORKER_MAIN = fileURLToPath(new URL('./fixtures/worker-main.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface WorkerProcess {
  child: ChildProcess;
  name: string;
  workDir: string;
  log: () => string;
}

async function startWorker(url: string, workDir: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), WORKER_MAIN, url, workDir, JSON.stringify(TIMINGS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (err += t));
  const name = await waitFor(`worker ready (${err})`, () => /^ready (\S+)/m.exec(out)?.[1]);
  return { child, name, workDir, log: () => err };
}

/** Run folders of a worker's work dir whose history has at least one evaluation. */
function readResults(dir: string): TrialResult[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrialResult);
}

function evaluatedRuns(workDir: string): string[] {
  if (!existsSync(workDir)) return [];
  return readdirSync(workDir, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('history.jsonl'))
    .filter((p) => readFileSync(join(workDir, p), 'utf8').includes('"type":"epoch"'));
}

describe.skipIf(!hasRedis)('BullMQ queue on a real redis-server', () => {
  let redis: ChildProcess;
  let url: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    await waitFor('redis-server', async () => {
      const probe = new RespConnection({ host: '127.0.0.1', port, db: 0 });
      try {
        await probe.connect();
        return (await probe.send('PING', [])) === 'PONG' ? true : undefined;
      } catch {
        return undefined;
      } finally {
        probe.close();
      }
    });
  });

  // Each test brings its own workers, so jobs of one test never run on another's.
  afterEach(() => {
    for (const w of workers.splice(0)) w.child.kill('SIGKILL');
  });

  afterAll(() => {
    redis?.kill('SIGTERM');
  });

  it('completes every trial exactly once although a worker is killed mid-trial', async () => {
    const cwd = tempDir('tune-queue');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 4',
      'maxParallelTrials: 2',
      'algorithm: random',
      'seed: 2',
      'preset: fake',
      'args: { evals: 3, delay-ms: 350 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const [victim, survivor] = await Promise.all([startWorker(url, join(cwd, 'worker-a')), startWorker(url, join(cwd, 'worker-b'))]);
    workers.push(victim, survivor);

    const io = captureIo(cwd);
    const study = tuneCommand({ studyFile, out: 'study', queue: url, timings: TIMINGS, io });
    // Kill worker A (SIGKILL: no goodbye) as soon as its trial has written an evaluation.
    const [killedRun] = await waitFor('worker A to be mid-trial', () => {
      const runs = evaluatedRuns(victim.workDir);
      return runs.length ? runs : undefined;
    });
    victim.child.kill('SIGKILL');
    const killedTrial = /(t\d{3})-/.exec(killedRun)?.[1];

    const summary = await study;
    const dir = join(cwd, 'study');
    const results = readResults(dir);
    expect(results.map((r) => r.id).sort()).toEqual(['t001', 't002', 't003', 't004']);
    expect(summary).toMatchObject({ completed: 4, failed: 0 });
    for (const r of results) {
      expect(r.status).toBe('completed');
      expect(r.objective).toBeCloseTo(((r.params.x as number) - 3) ** 2 + 1, 10);
      expect(r.intermediate).toHaveLength(3);
      // The run folder came back through the queue into the study.
      const metrics = JSON.parse(readFileSync(join(dir, 'trials', r.id, 'metrics.json'), 'utf8'));
      expect(metrics.test_loss).toBe(r.objective);
      expect(readFileSync(join(dir, 'trials', r.id, 'history.jsonl'), 'utf8')).toContain('"type":"end"');
    }
    // The killed worker's trial was retried by the survivor.
    expect(killedTrial).toBeDefined();
    expect(results.find((r) => r.id === killedTrial)?.worker).toBe(survivor.name);
    expect(results.some((r) => r.worker === victim.name)).toBe(false);
  });

  it('resumes after the tuner stops, taking results that workers finished meanwhile without re-running them', async () => {
    const cwd = tempDir('tune-queue-resume');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 4',
      'maxParallelTrials: 2',
      'algorithm: random',
      'preset: fake',
      'args: { evals: 2, delay-ms: 300 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const worker = await startWorker(url, join(cwd, 'worker'));
    workers.push(worker);
    const controller = new AbortController();
    const io = captureIo(cwd, controller.signal, (line) => {
      if (/^t00\d completed/.test(line)) controller.abort();
    });
    const stopped = await tuneCommand({ studyFile, out: 'study', queue: url, timings: TIMINGS, io }).catch((e: unknown) => e);
    expect((stopped as LabError).code).toBe('INTERRUPTED');
    const dir = join(cwd, 'study');
    expect(readResults(dir)).toHaveLength(1);
    // Let the worker finish the trial that was in flight while no tuner listens.
    await new Promise((r) => setTimeout(r, 1500));

    const summary = await tuneCommand({ studyFile, out: 'study', queue: url, resume: true, timings: TIMINGS, io: captureIo(cwd) });
    expect(summary.completed).toBe(4);
    expect(readResults(dir).map((r) => r.id).sort()).toEqual(['t001', 't002', 't003', 't004']);
    // Each trial ran exactly once on the worker: the in-flight one was not started again.
    const runsPerTrial = readdirSync(join(cwd, 'worker'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('metrics.json'))
      .map((p) => /(t\d{3})-/.exec(p)?.[1])
      .sort();
    expect(runsPerTrial).toEqual(['t001', 't002', 't003', 't004']);
  });

  it('stops trials by the median rule through job progress', async () => {
    const cwd = tempDir('tune-queue-median');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 6',
      'maxParallelTrials: 1',
      'algorithm: random',
      'seed: 1',
      'earlyStopping: median',
      'earlyStoppingMinTrials: 2',
      'preset: fake',
      'args: { evals: 4, delay-ms: 200 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 12 }',
    ]);
    workers.push(await startWorker(url, join(cwd, 'worker')));
    const summary = await tuneCommand({ studyFile, out: 'study', queue: url, timings: TIMINGS, io: captureIo(cwd) });
    const results = readResults(join(cwd, 'study')).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    expect(results).toHaveLength(6);
    expect(summary.stopped).toBeGreaterThan(0);
    results.forEach((r, i) => {
      if (r.status !== 'stopped') return;
      const completed = results.slice(0, i).filter((c) => c.status === 'completed').map((c) => c.intermediate);
      // The decision was taken on the evaluations seen so far (a few more may arrive before the stop does).
      const prefixes = r.intermediate.map((_, k) => r.intermediate.slice(0, k + 1));
      expect(prefixes.some((values) => shouldStopByMedian({ values, completed, goal: 'MINIMIZE', minCompleted: 2 }))).toBe(true);
    });
  });
});

describe('queue flag', () => {
  it('refuses an unreachable Redis before making a study folder', async () => {
    const cwd = tempDir('tune-noredis');
    const studyFile = writeStudy(cwd, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'params:', '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }']);
    const port = await freePort();
    await expect(tuneCommand({ studyFile, out: 'study', queue: `redis://127.0.0.1:${port}`, io: captureIo(cwd) })).rejects.toThrow(
      new RegExp(`--queue redis://127.0.0.1:${port}: cannot reach Redis`),
    );
    expect(existsSync(join(cwd, 'study'))).toBe(false);
  });
});
