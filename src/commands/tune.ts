// The typed command functions behind `mnist-lab tune` and `mnist-lab worker`.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { CommandIo } from './io.js';
import { LabError } from '../errors.js';
import { claimOutputFolder } from '../run/claim.js';
import type { TrialExecutor } from '../tune/executor.js';
import { LocalPool } from '../tune/pool.js';
import { QueueExecutor, runWorker, type QueueTimings } from '../tune/queue.js';
import { pingRedis } from '../tune/redis.js';
import { StudyStore, studyFiles } from '../tune/store.js';
import { readStudyText } from '../tune/study.js';
import { defaultTrialCommand } from '../tune/trial-command.js';
import { runStudy, type StudySummary } from '../tune/tuner.js';

export interface TuneCommandOptions {
  studyFile: string;
  /** Study folder; default runs/study-<study file name>. */
  out?: string;
  /** redis://HOST:PORT[/DB]: run trials as BullMQ jobs for `mnist-lab worker`s instead of local processes. */
  queue?: string;
  /** Continue the study in `out`: finished trials are kept, unfinished ones run again. */
  resume?: boolean;
  /** The training program for local trials (default: defaultTrialCommand()). */
  trialCommand?: string[];
  /** Queue timings, for tests. */
  timings?: Partial<QueueTimings>;
  /** Print the summary as one JSON line on stdout; the progress lines then go to stderr. */
  json?: boolean;
  io: CommandIo;
}

async function openStore(options: TuneCommandOptions, dir: string, studyFile: string): Promise<StudyStore> {
  const text = readStudyText(studyFile);
  if (!options.resume) {
    // A study folder gets the "pass --resume" answer from create; any other folder must be new or empty.
    if (!existsSync(studyFiles(dir).meta)) await claimOutputFolder(dir, { kind: 'study', force: false, cwd: options.io.cwd, flag: '--out' });
    return StudyStore.create(dir, text, studyFile);
  }
  const store = StudyStore.open(dir);
  if (readFileSync(store.files.study, 'utf8') !== text) {
    throw new LabError('BAD_ARGUMENT', `--resume: ${studyFile} differs from the study.yaml stored in ${dir}`, {
      hint: `resume with the stored copy (${store.files.study}), or start the changed study in a new --out folder`,
    });
  }
  return store;
}

/** `mnist-lab tune <study.yaml> [--out DIR] [--queue URL] [--resume]`: runs a study to maxTrials results. */
export async function tuneCommand(options: TuneCommandOptions): Promise<StudySummary> {
  const { io } = options;
  const studyFile = resolve(io.cwd, options.studyFile);
  const dir = resolve(io.cwd, options.out ?? `runs/study-${basename(studyFile, extname(studyFile))}`);
  // Check the queue before a study folder is made for a study that cannot run.
  if (options.queue) await pingRedis(options.queue);
  const store = await openStore(options, dir, studyFile);
  const { study } = store;
  const log = (line: string) => (options.json ? io.stderr : io.stdout).write(`${line}\n`);
  log(
    `study ${store.meta.studyId} in ${dir}: ${study.algorithm} search, ${study.maxTrials} trials, ${study.maxParallelTrials} at a time, ` +
      `${study.goal.toLowerCase()} ${study.metric}${study.earlyStopping === 'median' ? ', median stopping' : ''}, ` +
      (options.queue ? `on the queue at ${options.queue}` : 'local processes'),
  );
  const executor: TrialExecutor = options.queue
    ? await QueueExecutor.connect({ url: options.queue, store, timings: options.timings, log, signal: io.signal })
    : new LocalPool({ store, command: options.trialCommand ?? defaultTrialCommand(io.env as NodeJS.ProcessEnv) });
  const summary = await runStudy(store, executor, { log, signal: io.signal });
  const best = summary.best;
  log(
    `done: ${summary.completed} completed, ${summary.stopped} stopped, ${summary.failed} failed` +
      (best ? `; best ${best.id} ${study.metric}=${best.objective} (${store.runDir(best.id)})` : '; no trial completed'),
  );
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...summary, best: best && { id: best.id, objective: best.objective, params: best.params } })}\n`);
  }
  return summary;
}

export interface WorkerCommandOptions {
  queue: string;
  /** Trials run at once on this machine (default 1). */
  concurrency?: number;
  /** Where this worker's run folders go (default <tmp>/mnist-lab-worker). */
  workDir?: string;
  trialCommand?: string[];
  timings?: Partial<QueueTimings>;
  io: CommandIo;
}

/** `mnist-lab worker --queue URL [--concurrency N]`: pulls trials from the queue until Ctrl-C. */
export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  const { io } = options;
  const worker = await runWorker({
    queue: options.queue,
    concurrency: options.concurrency ?? 1,
    workDir: options.workDir && resolve(io.cwd, options.workDir),
    trialCommand: options.trialCommand ?? defaultTrialCommand(io.env as NodeJS.ProcessEnv),
    timings: options.timings,
    log: (line) => io.stderr.write(`${line}\n`),
    signal: io.signal,
  });
  await new Promise<void>((done) => {
    if (io.signal?.aborted) done();
    io.signal?.addEventListener('abort', () => done(), { once: true });
  });
  await worker.close();
}
