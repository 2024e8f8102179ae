// Trials as BullMQ jobs over Redis: the tuner's QueueExecutor adds jobs and collects results; runWorker pulls and runs them on any machine.
import { hostname, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Job, Queue, QueueEvents, WaitingError, Worker } from 'bullmq';
import { toResult, type TrialControl, type TrialExecutor } from './executor.js';
import { RedisConnections, pingRedis, readyUnlessAborted } from './redis.js';
import { packRunFolder, unpackRunFolder, type PackedFile } from './run-folder-pack.js';
import type { StudyStore, TrialResult, TrialSpec } from './store.js';
import { startTrialProcess, type TrialProcess } from './trial-process.js';

/** One queue serves every study; job ids carry the study id. */
export const QUEUE_NAME = 'mnist-lab-trials';

export interface QueueTimings {
  /** A worker's lock on a job; a worker silent this long is presumed dead and its job is retried. */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock expired. */
  stalledIntervalMs: number;
  /** Stalls (worker deaths) a job survives before it counts as failed. */
  maxStalledCount: number;
  /** Tries of a job whose worker reported an error (not a failed training: that is a result). */
  attempts: number;
  /** How often the tuner re-reads the state of its jobs (covers missed events and a Redis that lost them). */
  watchdogMs: number;
  /** How often a worker checks whether the tuner asked it to stop a trial. */
  stopPollMs: number;
  /** A worker's pause after losing Redis before it asks for jobs again (BullMQ's internal runRetryDelay, 15 s); tests shorten it. */
  workerRetryDelayMs?: number;
}

export const DEFAULT_TIMINGS: QueueTimings = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 5,
  attempts: 3,
  watchdogMs: 10_000,
  stopPollMs: 1_000,
};

export interface TrialJobData {
  studyId: string;
  trialId: string;
  number: number;
  /** `train …` arguments without --out. */
  args: string[];
  metric: 'loss' | 'accuracy';
  /** Set by the tuner when the median rule stops the trial. */
  stop?: boolean;
}

/** What a worker sends back: the trial's outcome (the tuner adds id, number, params and time) and its run folder. */
export interface TrialJobResult extends Omit<TrialResult, 'id' | 'number' | 'params' | 'finishedAt'> {
  /** The run folder without checkpoints. */
  files: PackedFile[];
}

const jobIdOf = (studyId: string, trialId: string) => `${studyId}-${trialId}`;

/** Logs connection errors once per change of message (a Redis outage repeats the same one many times a second). */
function errorLogger(log: (line: string) => void, who: string): (error: Error) => void {
  let last = '';
  return (error) => {
    if (error.message === last) return;
    last = error.message;
    log(`${who}: ${error.message}`);
  };
}

/**
 * QueueEvents whose pause after a lost connection ends when it is closed. BullMQ's own pause (5 s) is a timer nothing
 * can cancel, so with Redis gone a closed tuner's process lived on for up to 5 s after Ctrl-C.
 */
class PromptQueueEvents extends QueueEvents {
  private readonly stopped = new AbortController();

  protected override async checkConnectionError<T>(fn: () => Promise<T>, delayInMs = 5000): Promise<T | undefined> {
    let failed = false;
    const result = await super.checkConnectionError(() => fn().catch((error: unknown) => ((failed = true), Promise.reject(error))), 0);
    if (failed) await sleep(delayInMs, undefined, { signal: this.stopped.signal }).catch(() => undefined);
    return result;
  }

  override close(): Promise<void> {
    this.stopped.abort();
    return super.close();
  }
}

interface Waiting {
  trial: TrialSpec;
  data: TrialJobData;
  control: TrialControl;
  resolve: (result: TrialResult) => void;
  reject: (error: Error) => void;
  stopRequested: boolean;
  /** Whether the job was ever added; until then an unknown job is not "gone". */
  added: boolean;
}

export interface QueueExecutorOptions {
  url: string;
  store: StudyStore;
  timings?: Partial<QueueTimings>;
  log: (line: string) => void;
  /** Ctrl-C: ends a connect that waits for Redis. */
  signal?: AbortSignal;
}

/** The tuner's side: each trial is a job; progress events feed the median rule; results land in trials/<id>/. */
export class QueueExecutor implements TrialExecutor {
  private readonly waiting = new Map<string, Waiting>();
  private readonly watchdog: NodeJS.Timeout;

  private constructor(
    private readonly options: QueueExecutorOptions,
    private readonly timings: QueueTimings,
    private readonly connections: RedisConnections,
    private readonly queue: Queue<TrialJobData, TrialJobResult>,
    private readonly events: QueueEvents,
    private readonly logError: (error: Error) => void,
  ) {
    events.on('completed', ({ jobId }) => void this.check(jobId));
    events.on('failed', ({ jobId }) => void this.check(jobId));
    events.on('progress', ({ jobId, data }) => void this.progress(jobId, data));
    this.watchdog = setInterval(() => {
      for (const jobId of this.waiting.keys()) void this.check(jobId);
    }, timings.watchdogMs);
  }

  static async connect(options: QueueExecutorOptions): Promise<QueueExecutor> {
    await pingRedis(options.url);
    const connections = new RedisConnections(options.url);
    const queue = new Queue<TrialJobData, TrialJobResult>(QUEUE_NAME, { connection: connections.settings() });
    const events = new PromptQueueEvents(QUEUE_NAME, { connection: connections.settings() });
    // Logged from the start: Redis may go while connecting.
    const logError = errorLogger(options.log, 'queue');
    queue.on('error', logError);
    events.on('error', logError);
    try {
      await readyUnlessAborted(events.waitUntilReady(), options.signal, 'the tuner');
    } catch (error) {
      await connections.close([events, queue]);
      throw error;
    }
    return new QueueExecutor(options, { ...DEFAULT_TIMINGS, ...options.timings }, connections, queue, events, logError);
  }

  run(trial: TrialSpec, args: string[], control: TrialControl): Promise<TrialResult> {
    const { studyId } = this.options.store.meta;
    const data: TrialJobData = { studyId, trialId: trial.id, number: trial.number, args, metric: this.options.store.study.metric };
    const jobId = jobIdOf(studyId, trial.id);
    return new Promise<TrialResult>((resolve, reject) => {
      const waiting: Waiting = { trial, data, control, resolve, reject, stopRequested: false, added: false };
      this.waiting.set(jobId, waiting);
      // Adding an id that is already queued (a resumed study) is a no-op; check() then picks up a result that came in
      // meanwhile. If Redis is away, the watchdog adds the job once it is back.
      this.add(jobId, waiting).then(() => this.check(jobId), this.logError);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    // The jobs stay in Redis: a --resume picks them up again.
    for (const waiting of this.waiting.values()) waiting.reject(new Error('the tuner stopped waiting for this trial'));
    this.waiting.clear();
    await this.connections.close([this.events, this.queue]);
  }

  private async add(jobId: string, waiting: Waiting): Promise<void> {
    const keep = { age: 7 * 24 * 3600 };
    await this.queue.add('trial', waiting.data, {
      jobId,
      attempts: this.timings.attempts,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: keep,
      removeOnFail: keep,
    });
    waiting.added = true;
  }

  /** Settles a waiting trial from its job's state; re-adds a job Redis no longer knows (e.g. restarted without persistence). */
  private async check(jobId: string): Promise<void> {
    const waiting = this.waiting.get(jobId);
    if (!waiting) return;
    try {
      const state = await this.queue.getJobState(jobId);
      if (state === 'unknown') {
        if (waiting.added) this.options.log(`${waiting.trial.id}: its job is gone from Redis; queueing it again`);
        await this.add(jobId, waiting);
        return;
      }
      if (state !== 'completed' && state !== 'failed') return;
      const job = await Job.fromId<TrialJobData, TrialJobResult>(this.queue, jobId);
      if (!job || !this.waiting.delete(jobId)) return;
      const { trial } = waiting;
      if (state === 'failed') {
        waiting.resolve(toResult(trial, { status: 'failed', objective: null, intermediate: [], metrics: null, error: `job failed: ${job.failedReason}`, seconds: 0, worker: 'queue' }));
        return;
      }
      const { files, ...outcome } = job.returnvalue;
      const runDir = this.options.store.runDir(trial.id);
      rmSync(runDir, { recursive: true, force: true });
      unpackRunFolder(files, runDir);
      waiting.resolve(toResult(trial, outcome));
    } catch (error) {
      // Redis unreachable for now: the watchdog asks again.
      this.logError(error as Error);
    }
  }

  private async progress(jobId: string, data: unknown): Promise<void> {
    const waiting = this.waiting.get(jobId);
    const values = (data as { intermediate?: unknown } | null)?.intermediate;
    if (!waiting || waiting.stopRequested || !Array.isArray(values)) return;
    if (!waiting.control.onIntermediate(values as number[])) return;
    waiting.stopRequested = true;
    const job = await Job.fromId<TrialJobData, TrialJobResult>(this.queue, jobId);
    await job?.updateData({ ...job.data, stop: true });
  }
}

export interface RunWorkerOptions {
  /** redis://HOST:PORT[/DB] */
  queue: string;
  concurrency: number;
  /** Where run folders go on this machine (default <tmp>/mnist-lab-worker). */
  workDir?: string;
  trialCommand: string[];
  timings?: Partial<QueueTimings>;
  log?: (line: string) => void;
  /** Ctrl-C: ends a start that waits for Redis. */
  signal?: AbortSignal;
}

export interface RunningWorker {
  worker: Worker<TrialJobData, TrialJobResult>;
  /** host:pid, as recorded in each result's `worker` field. */
  name: string;
  /** Stops taking jobs; running trials are interrupted and their jobs handed back to the queue; every connection is closed. */
  close(): Promise<void>;
}

/** The `mnist-lab worker` side: pulls trial jobs, runs each as a child process, reports evaluations as progress, returns the run folder. */
export async function runWorker(options: RunWorkerOptions): Promise<RunningWorker> {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const workDir = options.workDir ?? join(tmpdir(), 'mnist-lab-worker');
  const log = options.log ?? (() => undefined);
  const name = `${hostname()}:${process.pid}`;
  await pingRedis(options.queue);
  const connections = new RedisConnections(options.queue);
  const control = new Queue<TrialJobData, TrialJobResult>(QUEUE_NAME, { connection: connections.settings() });
  const onError = errorLogger(log, 'worker');
  control.on('error', onError);
  const running = new Set<TrialProcess>();
  let closing = false;

  const processor = async (job: Job<TrialJobData, TrialJobResult>, token?: string): Promise<TrialJobResult> => {
    const { studyId, trialId, args, metric } = job.data;
    const runDir = join(workDir, studyId, `${trialId}-${process.pid}-${job.attemptsMade}-${Date.now().toString(36)}`);
    log(`${trialId} (study ${studyId}) starting in ${runDir}`);
    const proc = startTrialProcess({
      command: options.trialCommand,
      args,
      runDir,
      metric,
      onIntermediate: (values) => void job.updateProgress({ intermediate: values }).catch(() => undefined),
    });
    running.add(proc);
    const stopWatch = setInterval(() => {
      Job.fromId<TrialJobData, TrialJobResult>(control, job.id as string)
        .then((latest) => latest?.data.stop && proc.stop())
        .catch(() => undefined);
    }, timings.stopPollMs);
    try {
      const { exitCode, ...outcome } = await proc.done;
      if (closing) {
        // Back to the waiting list as if never taken: no attempt used up, the next free worker starts it afresh.
        // With Redis gone the job stays active until its lock expires; then it is retried as stalled.
        const handedBack = await job.moveToWait(token).then(() => true, () => false);
        log(`${trialId} ${handedBack ? 'handed back to the queue' : 'left to go back to the queue once its lock expires (Redis did not answer)'}: worker ${name} is shutting down`);
        throw new WaitingError();
      }
      log(`${trialId} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
      return { ...outcome, exitCode: outcome.status === 'failed' ? (exitCode ?? undefined) : undefined, worker: name, files: packRunFolder(runDir) };
    } finally {
      clearInterval(stopWatch);
      running.delete(proc);
    }
  };

  const worker = new Worker<TrialJobData, TrialJobResult>(QUEUE_NAME, processor, {
    connection: connections.settings(),
    concurrency: options.concurrency,
    lockDuration: timings.lockDurationMs,
    stalledInterval: timings.stalledIntervalMs,
    maxStalledCount: timings.maxStalledCount,
    ...(timings.workerRetryDelayMs === undefined ? {} : { runRetryDelay: timings.workerRetryDelayMs }),
    name,
  });
  worker.on('error', onError);
  try {
    await readyUnlessAborted(worker.waitUntilReady(), options.signal, `worker ${name}`);
  } catch (error) {
    await connections.close([worker, control]);
    throw error;
  }
  log(`worker ${name} pulling trials from ${options.queue} (${options.concurrency} at a time, run folders in ${workDir})`);
  return {
    worker,
    name,
    close: async () => {
      closing = true;
      // No new job from now on, and none fetched in place of a handed-back one.
      await worker.pause(true);
      for (const proc of running) proc.abort();
      // BullMQ's close waits for the running trials, which end with SIGINT (SIGKILL after the grace period).
      await connections.close([worker, control]);
    },
  };
}
