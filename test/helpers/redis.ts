// Shared setup of the Redis tests: a throwaway redis-server on a free loopback port, worker processes, and readers of the study's results.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { pingRedis } from '../../src/tune/redis.js';
import type { TrialResult } from '../../src/tune/store.js';

export const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

/** Short locks and checks so a dead worker is noticed in about 3 s and a lost Redis within a second of its return. */
export const TIMINGS = { lockDurationMs: 2000, stalledIntervalMs: 1000, watchdogMs: 500, stopPollMs: 200, workerRetryDelayMs: 500 };
const WORKER_MAIN = fileURLToPath(new URL('../tune/fixtures/worker-main.ts', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FAKE_TRIAL_FILE = fileURLToPath(new URL('../tune/fixtures/fake-trial.mjs', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RedisServer {
  url: string;
  /** SIGTERM, resolved once the server has exited. */
  stop(): Promise<void>;
}

/** Starts redis-server without persistence on a loopback port (default: a free one) and waits for its PING. */
export async function startRedis(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitFor('redis-server', () => pingRedis(url, 'redis', 1000).then(() => true, () => undefined));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** host:pid, as results record it. */
  name: string;
  workDir: string;
}

/** A `mnist-lab worker` child process (fixtures/worker-main.ts) running the fake trainer. */
export async function startWorker(url: string, workDir: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), WORKER_MAIN, url, workDir, JSON.stringify(TIMINGS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (err += t));
  const name = await waitFor('a worker to be ready', () => /^ready (\S+)/m.exec(out)?.[1]).catch((error: Error) => {
    throw new Error(`${error.message}; its stderr: ${err}`);
  });
  return { child, name, workDir };
}

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves when the output matches `pattern` (rejects after `timeoutMs`, quoting the output). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The exit code (or the signal's name), or "still running" if it has not exited within `timeoutMs`. */
  exitWithin(timeoutMs: number): Promise<number | string>;
}

/** `mnist-lab <args>` as a real process from the source tree, its trials run by the fake trainer. */
export function startCli(args: string[], cwd: string): CliProcess {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI_MAIN, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MNIST_LAB_TRIAL_COMMAND: JSON.stringify([process.execPath, FAKE_TRIAL_FILE]) },
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (output += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (output += t));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      waitFor(`${pattern} in the output of mnist-lab ${args.join(' ')}`, () => pattern.exec(output) ?? undefined, timeoutMs).catch((error: Error) => {
        throw new Error(`${error.message}; its output: ${output}`);
      }),
    exitWithin: (timeoutMs) => Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), timeoutMs).unref())]),
  };
}

export function readResults(studyDir: string): TrialResult[] {
  return readFileSync(join(studyDir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrialResult);
}

/** History files under a worker's work dir that hold at least one evaluation. */
export function evaluatedRuns(workDir: string): string[] {
  if (!existsSync(workDir)) return [];
  return readdirSync(workDir, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('history.jsonl'))
    .filter((p) => readFileSync(join(workDir, p), 'utf8').includes('"type":"epoch"'));
}

/**
 * For a describe block: one redis-server for all its tests, and the workers each test starts killed after it,
 * so jobs of one test never run on another's.
 */
export function redisForSuite(): { url: () => string; workers: WorkerProcess[] } {
  let redis: RedisServer | undefined;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(() => {
    for (const w of workers.splice(0)) w.child.kill('SIGKILL');
  });
  afterAll(() => redis?.stop());
  return { url: () => redis!.url, workers };
}
