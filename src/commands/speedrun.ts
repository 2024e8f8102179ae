// `mnist-lab speedrun`: wall-clock time from a process's start until the full test set reaches a target accuracy,
// each seed in a fresh child process timed from its spawn, training and every evaluation included.
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LabError, type LabErrorCode } from '../errors.js';
import type { TimedEvaluation, TimedRunRequest } from '../runner/timed-run.js';
import { formatTable, printJson, type CommandIo } from './io.js';

/** The step timed when no file is given. */
export const SPEEDRUN_STEP = '12-speedrun';

/**
 * What a timed child prints, one JSON object a line, the moment it happens: training starts, an evaluation, the
 * file ended, or it failed. The parent's clock times them all; PyTorch's peer (bench/) speaks the same.
 */
export type SpeedrunMessage =
  | { type: 'start' }
  | ({ type: 'evaluation' } & TimedEvaluation)
  | { type: 'end' }
  | { type: 'error'; message: string; code?: LabErrorCode; hint?: string; exitCode: number };

/** One seed against the clock. */
export interface SeedTiming {
  seed: number;
  /** Seconds from spawning the process to reading its line that the test accuracy reached the target; null: never. */
  seconds: number | null;
  /** The test accuracy of the evaluation that reached the target (the best one when none did). */
  accuracy: number;
  /** Training steps before that evaluation. */
  steps: number;
  /** Evaluations up to and including it. */
  evaluations: number;
  /** Seconds from the spawn to the line saying training starts: loading the code, the data and the model. */
  startupSeconds: number | null;
  /** Seconds the child spent in those evaluations. */
  evaluationSeconds: number;
}

export interface TimeOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Give up (and stop the child) after this long; default 20 minutes. */
  timeoutMs?: number;
}

/**
 * Spawns `command args`, reads its SpeedrunMessage lines, and times from just before the spawn to the moment the line
 * of the first evaluation at or above `target` is read; the child is then stopped. A child that ends without
 * reaching it gives `seconds: null` and its best evaluation; one that fails or says it failed rejects with its error.
 */
export function timeToTarget(command: string, args: string[], target: number, seed: number, options: TimeOptions): Promise<SeedTiming> {
  return new Promise((resolvePromise, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const evaluations: TimedEvaluation[] = [];
    let startAt: number | null = null;
    let reached: SeedTiming | null = null;
    let failure: LabError | null = null;
    let stderr = '';
    const timing = (evaluation: TimedEvaluation, seconds: number | null): SeedTiming => ({
      seed,
      seconds,
      accuracy: evaluation.accuracy,
      steps: evaluation.step,
      evaluations: evaluations.indexOf(evaluation) + 1,
      startupSeconds: startAt === null ? null : (startAt - spawnedAt) / 1000,
      evaluationSeconds: evaluation.evaluationMs / 1000,
    });
    const stop = (why: LabError) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(new LabError('WORKER_FAILED', `speedrun seed ${seed}: no result after ${(options.timeoutMs ?? 1_200_000) / 60_000} minutes`, { exitCode: 1 })),
      options.timeoutMs ?? 1_200_000,
    );
    const onAbort = () => stop(new LabError('INTERRUPTED', 'speedrun interrupted', { exitCode: 130 }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const now = performance.now();
      if (reached || failure || !line.startsWith('{')) return;
      const message = JSON.parse(line) as SpeedrunMessage;
      if (message.type === 'start') startAt = now;
      if (message.type === 'error') {
        const hint = message.hint;
        stop(new LabError(message.code ?? 'WORKER_FAILED', message.message, { exitCode: message.exitCode, ...(hint === undefined ? {} : { hint }) }));
      }
      if (message.type !== 'evaluation') return;
      const { type: _, ...evaluation } = message;
      evaluations.push(evaluation);
      if (evaluation.accuracy >= target) {
        reached = timing(evaluation, (now - spawnedAt) / 1000);
        child.kill('SIGKILL');
      }
    });
    child.on('error', (error) => stop(new LabError('WORKER_FAILED', `speedrun seed ${seed}: cannot start ${command}: ${error.message}`, { exitCode: 1 })));
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (reached) return resolvePromise(reached);
      const best = evaluations.reduce<TimedEvaluation | null>((a, e) => (a === null || e.accuracy > a.accuracy ? e : a), null);
      if (code !== 0 || best === null) {
        return reject(new LabError('WORKER_FAILED', `speedrun seed ${seed}: the process ended (exit ${code}) without evaluating${stderr ? `:\n${stderr.trim()}` : ''}`, { exitCode: 1 }));
      }
      resolvePromise(timing(best, null));
    });
  });
}

/** The command that runs one timed seed in a fresh Node process: the built child, or the source one through tsx. */
export function speedrunChildCommand(request: TimedRunRequest): { command: string; args: string[] } {
  const entry = new URL(`./speedrun-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  const fromSource = entry.pathname.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  return { command: process.execPath, args: [...fromSource, fileURLToPath(entry), JSON.stringify(request)] };
}

/** The median of the seeds' times, a seed that never reached the target counting as the slowest; null if that is the median. */
export function medianSeconds(timings: readonly SeedTiming[]): number | null {
  const sorted = timings.map((t) => t.seconds ?? Infinity).sort((a, b) => a - b);
  const middle = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return Number.isFinite(middle) ? middle : null;
}

export interface SpeedrunOptions {
  /** A step name or a lab file declaring a `target` hyperparameter; default 12-speedrun. */
  step?: string;
  /** The test accuracy to reach, e.g. 0.99. */
  target: number;
  /** The seeds to time, one fresh process each, in turn. */
  seeds: number[];
  dataDir?: string;
  threads?: number;
  /** Train on the first N digits / validate on the first N test digits (a quick check, not a record). */
  limit?: number;
  valLimit?: number;
  json?: boolean;
}

export interface SpeedrunResult {
  step: string;
  target: number;
  /** Test digits each evaluation covers (10,000 for a record). */
  testDigits: number;
  seeds: SeedTiming[];
  medianSeconds: number | null;
  /** Seeds that reached the target. */
  reached: number;
}

const seconds = (s: number | null): string => (s === null ? '-' : `${s.toFixed(2)} s`);
const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** The table of a speedrun: one row a seed, then the median. */
export function formatSpeedrun(result: SpeedrunResult): string {
  const rows = result.seeds.map((t) => [
    String(t.seed),
    t.seconds === null ? `not reached (best ${percent(t.accuracy)})` : seconds(t.seconds),
    percent(t.accuracy),
    String(t.steps),
    String(t.evaluations),
    seconds(t.startupSeconds),
    seconds(t.evaluationSeconds),
  ]);
  const table = formatTable([['seed', `time to ${percent(result.target)}`, 'test accuracy', 'steps', 'evaluations', 'start-up', 'in evaluations'], ...rows]);
  const median = result.medianSeconds === null ? 'no median: most seeds did not reach the target' : `median ${seconds(result.medianSeconds)}`;
  return `${table}\n\n${result.step}: ${median}; ${result.reached} of ${result.seeds.length} seeds reached ${percent(result.target)}.`;
}

/**
 * Times a speedrun lab file over seeds: each seed runs in a fresh process (`node`, the lab file, the data, the model,
 * training and every evaluation on the test set) and its time runs from the spawn to the moment the parent reads
 * that the test accuracy reached the target. Prints a row per seed and the median, or one JSON line.
 */
export async function speedrunCommand(opts: SpeedrunOptions, io: CommandIo): Promise<SpeedrunResult> {
  const [{ loadStep }, { checkHyperparameters }] = await Promise.all([import('../runner/step-file.js'), import('../runner/hyperparameter-flags.js')]);
  const stepArg = opts.step ?? SPEEDRUN_STEP;
  const step = await loadStep(stepArg, { cwd: io.cwd, typecheck: true });
  if (step.about?.hyperparameters.target === undefined) {
    throw new LabError('BAD_LAB_FILE', `${step.file} declares no \`target\` hyperparameter, so it cannot be told the accuracy to reach`, {
      hint: 'declare `target` in about.hyperparameters and stop training there with lab.callbacks.stopAtAccuracy(hp.target), as lab/12-speedrun.ts does',
    });
  }
  const hp = { target: opts.target };
  checkHyperparameters(step, hp);
  const log = opts.json ? io.stderr : io.stdout;
  const testDigits = Math.min(opts.valLimit ?? 10_000, 10_000);
  const on = testDigits === 10_000 ? 'the 10k test set' : `the first ${testDigits} test digits (--val-limit: a check, not a record)`;
  log.write(`Speedrun of ${step.name} to ${percent(opts.target)} on ${on}: each seed in a fresh process, timed from its spawn.\n`);
  const timings: SeedTiming[] = [];
  for (const seed of opts.seeds) {
    const overrides = { ...(opts.limit === undefined ? {} : { limit: opts.limit }), ...(opts.valLimit === undefined ? {} : { valLimit: opts.valLimit }) };
    const { command, args } = speedrunChildCommand({ step: stepArg, seed, hp, dataDir: opts.dataDir, overrides, threads: opts.threads });
    const timing = await timeToTarget(command, args, opts.target, seed, { cwd: io.cwd, env: io.env, signal: io.signal });
    timings.push(timing);
    log.write(`  seed ${seed}: ${timing.seconds === null ? `did not reach the target (best ${percent(timing.accuracy)})` : `${seconds(timing.seconds)} (${percent(timing.accuracy)} after ${timing.steps} steps)`}\n`);
  }
  const result: SpeedrunResult = {
    step: step.name,
    target: opts.target,
    testDigits,
    seeds: timings,
    medianSeconds: medianSeconds(timings),
    reached: timings.filter((t) => t.seconds !== null).length,
  };
  if (opts.json) printJson(io, result);
  else io.stdout.write(`\n${formatSpeedrun(result)}\n`);
  return result;
}
