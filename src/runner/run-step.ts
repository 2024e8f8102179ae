// Runs one lab file as a run: claims the run folder, opens the session, runs the file's cells, saves what it trained.
import { resolve } from 'node:path';
import { locateDataDir, type Env } from '../data/locate.js';
import { initBackend } from '../engine/backend.js';
import { LabError } from '../errors.js';
import { claimOutputFolder } from '../run/claim.js';
import { readHistory, readRunConfig } from '../run/reader.js';
import { NO_OVERRIDES, type RunConfig, type RunMetrics, type RunStatus } from '../run/schema.js';
import { RunWriter } from '../run/writer.js';
import { finishRunPictures } from '../report/after-training.js';
import { Progress } from '../train/progress.js';
import { disposeModel, fitMetrics, runLabFile, type LabSession } from '../train/session.js';
import { Rng } from '../util/rng.js';
import type { TextOut } from '../util/text-out.js';
import { checkHyperparameters } from './hyperparameter-flags.js';
import { fileDataSource, nodeEngine } from './node-session.js';
import { runFolderPictures } from './run-folder-pictures.js';
import { refuseResumeChanges } from './resume-flags.js';
import type { RunRequest } from './run-request.js';

export type { RunRequest };
import { loadStep, runFailure, type LabStep } from './step-file.js';

export interface RunIo {
  cwd: string;
  env: Env;
  /** Human-readable progress (stderr when stdout carries --json). */
  log: TextOut & { isTTY?: boolean };
  signal?: AbortSignal;
}

export interface RunOutcome {
  runDir: string;
  config: RunConfig;
  step: LabStep;
  status: Exclude<RunStatus, 'failed'>;
  metrics: RunMetrics | null;
}

const timestamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/** A new run: the lab file loaded and checked, the data folder found, the run folder claimed and its config written. */
async function startRun(request: RunRequest, io: RunIo): Promise<{ step: LabStep; config: RunConfig; writer: RunWriter }> {
  if (!request.step) throw new LabError('BAD_ARGUMENT', 'a step name or a lab file is required', { hint: 'see `mnist-lab models`, or pass a file: `mnist-lab run my-model.ts`' });
  const step = await loadStep(request.step, { cwd: io.cwd, typecheck: request.typecheck ?? true });
  const hp = request.hp ?? {};
  checkHyperparameters(step, hp);
  const dataset = request.dataset ?? 'mnist';
  const dataDir = resolve(io.cwd, locateDataDir({ dataDir: request.dataDir, env: io.env, dataset }));
  const config: RunConfig = {
    version: 2,
    step: { name: step.name, file: step.file, sha256: step.sha256, builtin: step.builtin },
    about: step.about,
    dataset,
    dataDir,
    seed: request.seed ?? 0,
    overrides: { ...NO_OVERRIDES, ...request.overrides },
    hp,
    backend: request.backend ?? 'auto',
    threads: request.threads ?? null,
    pictures: request.pictures ?? true,
  };
  const runDir = resolve(io.cwd, request.out ?? `runs/${step.name}-${timestamp()}`);
  await claimOutputFolder(runDir, { kind: 'run', force: request.force ?? false, cwd: io.cwd, flag: '--out' });
  return { step, config, writer: await RunWriter.create(runDir, config) };
}

/** A resumed run: its config read back, flags that would change it refused, the same file (unchanged) loaded. */
async function resumeRun(request: RunRequest & { resume: string }, io: RunIo, progress: Progress): Promise<{ step: LabStep; config: RunConfig; writer: RunWriter }> {
  const runDir = resolve(io.cwd, request.resume);
  const stored = await readRunConfig(runDir).catch((cause: unknown) => {
    if (cause instanceof LabError && cause.code === 'BAD_RUN_FILE') throw cause;
    throw new LabError('RUN_INCOMPLETE', `--resume ${request.resume}: no readable config.json in ${runDir}`, { hint: 'pass a run folder written by `mnist-lab train` or `mnist-lab run`', cause });
  });
  if (stored.step.file === null || stored.step.sha256 === null) {
    throw new LabError('RUN_INCOMPLETE', `--resume ${request.resume}: the run was made before lab files and cannot be continued`, { hint: 'start a new run' });
  }
  const config = refuseResumeChanges(stored, { ...request, dataDir: request.dataDir === undefined ? undefined : resolve(io.cwd, request.dataDir) }, progress);
  await refuseFinishedRun(runDir, request, config);
  const step = await loadStep(stored.step.builtin ? stored.step.name : stored.step.file, { cwd: io.cwd, typecheck: false });
  if (step.sha256 !== stored.step.sha256) {
    throw new LabError('BAD_LAB_FILE', `--resume ${request.resume}: ${step.file} has changed since the run started`, {
      hint: 'resuming needs the file as it was (its SHA-256 is in config.json); start a new run to train the changed file',
    });
  }
  return { step, config, writer: await RunWriter.resume(runDir, config) };
}

/**
 * A completed run has nothing to continue unless --epochs asks for more epochs than it trained: resuming it would
 * train nothing and write metrics of nothing over its results (it once wrote 0% accuracy over a finished run).
 */
async function refuseFinishedRun(runDir: string, request: RunRequest & { resume: string }, config: RunConfig): Promise<void> {
  const history = await readHistory(runDir);
  const end = history.findLast((r) => r.type === 'end');
  if (end?.status !== 'completed') return;
  const trained = history.filter((r) => r.type === 'epoch').length;
  const wanted = config.overrides.epochs;
  if (wanted !== null && wanted > trained) return;
  const asked = request.given?.includes('--epochs') ? ` (--epochs ${wanted} is not more)` : '';
  throw new LabError('BAD_ARGUMENT', `--resume ${request.resume}: the run completed its ${trained} epoch(s); there is nothing to continue${asked}`, {
    hint: `pass --epochs ${trained + 1} or more to train it longer, or start a new run; its results are left as they are`,
  });
}

/**
 * Runs a lab file (a ladder step or the user's own) the way `mnist-lab train` and `mnist-lab run` do: Keras-style
 * progress, the learning rate announced each epoch, a run folder with config, history, checkpoints, model,
 * metrics, pictures and report. Ctrl-C finishes the batch, writes a checkpoint and ends the run as interrupted;
 * `resume` continues such a run exactly.
 */
export async function runStep(request: RunRequest, io: RunIo): Promise<RunOutcome> {
  const progress = new Progress({ stream: io.log });
  const { step, config, writer } = request.resume ? await resumeRun({ ...request, resume: request.resume }, io, progress) : await startRun(request, io);
  try {
    return await trainStep(step, config, writer, io, progress);
  } catch (error) {
    const why = runFailure(step, error);
    // Readers then see a failed run rather than one that seems to run forever; best effort, the error matters more.
    if (!writer.ended) await writer.end('failed', `${why.code}: ${why.message}`).catch(() => undefined);
    throw why;
  }
}

/** The run once its folder holds config.json and process.json: the session, the file's cells, what it trained. */
async function trainStep(step: LabStep, config: RunConfig, writer: RunWriter, io: RunIo, progress: Progress): Promise<RunOutcome> {
  const runDir = writer.runDir;
  const backend = await initBackend({ backend: config.backend, threads: config.threads ?? undefined });
  if (backend.note) progress.line(backend.note);
  progress.line(`mnist-lab: ${step.name}${step.about ? ` (${step.about.title})` : ''}, run folder ${runDir}`);

  const rng = new Rng(config.seed);
  const session: LabSession = {
    stepName: step.name,
    seed: config.seed,
    rng,
    overrides: config.overrides,
    hp: config.hp,
    data: fileDataSource({ dir: config.dataDir, dataset: config.dataset, overrides: config.overrides }),
    engine: nodeEngine,
    sink: writer,
    pictures: config.pictures ? runFolderPictures(runDir, config.dataset, io.log) : null,
    out: io.log,
    live: Boolean(io.log.isTTY),
    signal: io.signal ?? new AbortController().signal,
    threads: config.threads,
    describe: false,
    fits: [],
  };
  const { status, fit } = await runLabFile(session, step.main, step.file);
  let metrics: RunMetrics | null = null;
  if (status === 'completed') {
    await writer.saveModel(fit.model);
    metrics = fitMetrics(config.step.name, config.dataset, fit);
    await writer.writeMetrics(metrics);
  } else {
    progress.line(`\nInterrupted: checkpoint written; continue with \`mnist-lab ${step.builtin ? 'train' : 'run'} --resume ${runDir}\``);
  }
  await writer.end(status);
  disposeModel(fit.model);
  if (config.pictures) await finishRunPictures(runDir, { out: io.log });
  return { runDir, config, step, status, metrics };
}
