// Runs one trial as a child process: watches its history.jsonl for intermediate objectives, can stop it, and reads its final JSON.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { runFiles } from '../run/layout.js';
import { checkRunValue, parseHistory, parseRunJson } from '../run/parse.js';
import { AnyRunMetricsSchema, type RunMetrics } from '../run/schema.js';
import type { TrialStatus } from './store.js';

export interface TrialProcessOptions {
  /** The program, e.g. [node, --import, tsx, src/cli/main.ts]. */
  command: string[];
  /** The `train …` arguments; --out, --force and --json are added here. */
  args: string[];
  runDir: string;
  metric: 'loss' | 'accuracy';
  /** Called with all intermediate objectives so far, each time a new evaluation appears in history.jsonl. */
  onIntermediate?: (values: number[]) => void;
  /** How often history.jsonl is read. */
  pollMs?: number;
  /** How long a stopped trial gets to exit after SIGINT before SIGKILL. */
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface TrialOutcome {
  status: TrialStatus;
  objective: number | null;
  intermediate: number[];
  metrics: RunMetrics | null;
  error?: string;
  /** The child's exit code (null when killed by a signal). */
  exitCode: number | null;
  seconds: number;
}

export interface TrialProcess {
  done: Promise<TrialOutcome>;
  /** Ends the trial early (median rule): SIGINT, then SIGKILL after the grace period; the outcome is "stopped". */
  stop(): void;
  /** Ends the trial because the tuner or worker is shutting down; the outcome is "failed" and the trial is re-run later. */
  abort(): void;
}

const TAIL_BYTES = 2000;

function readIntermediate(runDir: string, metric: 'loss' | 'accuracy'): number[] {
  const file = runFiles(runDir).history;
  if (!existsSync(file)) return [];
  const key = metric === 'loss' ? 'val_loss' : 'val_accuracy';
  return parseHistory(readFileSync(file, 'utf8')).flatMap((r) => (r.type === 'epoch' && Number.isFinite(r[key]) ? [r[key]] : []));
}

/** The last stdout line that is RunMetrics JSON, else metrics.json in the run folder. */
function readMetrics(stdout: string, runDir: string): RunMetrics | null {
  const lines = stdout.split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof (value as { test_accuracy?: unknown }).test_accuracy === 'number') return checkRunValue(AnyRunMetricsSchema, value, 'the trial\'s --json line');
    } catch {
      // not the metrics line
    }
  }
  const file = runFiles(runDir).metrics;
  return existsSync(file) ? parseRunJson(AnyRunMetricsSchema, readFileSync(file, 'utf8'), file) : null;
}

/** fn's value, or `fallback` when it throws (the message goes to `onError`). */
function safely<T>(fn: () => T, fallback: T, onError?: (message: string) => void): T {
  try {
    return fn();
  } catch (error) {
    onError?.(error instanceof Error ? error.message : String(error));
    return fallback;
  }
}

function best(values: number[], metric: 'loss' | 'accuracy'): number | null {
  if (values.length === 0) return null;
  return metric === 'loss' ? Math.min(...values) : Math.max(...values);
}

export function startTrialProcess(options: TrialProcessOptions): TrialProcess {
  const { command, args, runDir, metric } = options;
  const started = Date.now();
  const child = spawn(command[0], [...command.slice(1), ...args, '--out', runDir, '--force', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let stdout = '';
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderrTail = (stderrTail + chunk).slice(-TAIL_BYTES)));

  let seen = 0;
  let ending: 'stopped' | 'aborted' | null = null;
  const poll = () => {
    // A record that breaks its schema is the trial's problem, reported when it ends, not a crash of the tuner.
    const values = safely(() => readIntermediate(runDir, metric), []);
    if (values.length > seen) {
      seen = values.length;
      options.onIntermediate?.(values);
    }
  };
  const timer = setInterval(poll, options.pollMs ?? 500);
  let killTimer: NodeJS.Timeout | undefined;
  const end = (why: 'stopped' | 'aborted') => {
    if (ending || child.exitCode !== null || child.signalCode !== null) return;
    ending = why;
    child.kill('SIGINT');
    killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 10_000);
  };

  const done = new Promise<TrialOutcome>((resolve) => {
    const finish = (exitCode: number | null, error?: string) => {
      clearInterval(timer);
      clearTimeout(killTimer);
      const intermediate = safely(() => readIntermediate(runDir, metric), []);
      const seconds = (Date.now() - started) / 1000;
      const base = { intermediate, exitCode, seconds };
      // A trial that got to its end before the stop arrived (exit 0 with metrics) counts as completed.
      let unreadable: string | undefined;
      const metrics =
        exitCode === 0
          ? safely(() => readMetrics(stdout, runDir), null, (e) => {
              unreadable = e;
            })
          : null;
      if (metrics) {
        resolve({ ...base, status: 'completed', objective: metric === 'loss' ? metrics.test_loss : metrics.test_accuracy, metrics });
        return;
      }
      if (ending === 'stopped') {
        resolve({ ...base, status: 'stopped', objective: best(intermediate, metric), metrics: null });
        return;
      }
      const why = error ?? unreadable ?? (ending === 'aborted' ? 'aborted by shutdown' : exitCode === 0 ? 'exited 0 without printing its metrics JSON' : `exited with code ${exitCode ?? child.signalCode}`);
      const tail = stderrTail.trim().split('\n').slice(-5).join('\n');
      resolve({ ...base, status: 'failed', objective: null, metrics: null, error: tail ? `${why}: ${tail}` : why });
    };
    child.on('error', (err) => finish(null, `could not start ${command[0]}: ${err.message}`));
    child.on('close', (code) => finish(code));
  });

  return { done, stop: () => end('stopped'), abort: () => end('aborted') };
}
