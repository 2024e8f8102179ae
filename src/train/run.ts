// `mnist-lab train`: resolves the config, prepares data, engine and run folder, runs the loop, writes the results.
import * as tf from '@tensorflow/tfjs';
import { appendFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { toBatch, type BatcherState } from '../data/pipeline.js';
import { Prefetcher } from '../data/prefetch.js';
import { loadDataset } from '../data/load.js';
import { locateDataDir, type Env } from '../data/locate.js';
import type { DatasetName } from '../data/types.js';
import { initBackend } from '../engine/backend.js';
import { LabError } from '../errors.js';
import { epochEndPictures, finishRunPictures } from '../report/after-training.js';
import { getPreset } from '../models/index.js';
import { saveModel } from '../models/io.js';
import type { Preset } from '../models/preset.js';
import { installMathRandom, Rng } from '../util/rng.js';
import { loadLatestCheckpoint, type LoopState } from './checkpoint.js';
import { parseConfig, resolveConfig, type TrainConfig, type TrainOverrides } from './config.js';
import { createTrainer } from './create-trainer.js';
import { parseHistory, type EpochRecord, type HistoryRecord } from './history.js';
import { planEpochs, runLoop } from './loop.js';
import { Progress } from './progress.js';
import { runFiles, type RunMetrics, type RunProcess } from './run-layout.js';

export interface TrainRequest {
  preset?: string;
  overrides?: TrainOverrides;
  hp?: Record<string, number>;
  dataset?: DatasetName;
  dataDir?: string;
  /** Run folder; default runs/<preset>-<time> under cwd. */
  out?: string;
  force?: boolean;
  /** Continue this run folder from its latest checkpoint. */
  resume?: string;
}

export interface TrainIo {
  cwd: string;
  env: Env;
  /** Human-readable progress (stderr when stdout carries --json). */
  log: Writable & { isTTY?: boolean };
  signal?: AbortSignal;
  /** Called after each epoch's record is written (pictures, live views). */
  onEpochEnd?: (runDir: string, record: EpochRecord) => Promise<void>;
}

export interface TrainOutcome {
  runDir: string;
  config: TrainConfig;
  status: 'completed' | 'interrupted';
  metrics: RunMetrics | null;
  history: EpochRecord[];
}

export async function train(request: TrainRequest, io: TrainIo): Promise<TrainOutcome> {
  const prepared = await prepareRun(request, io);
  const history = runFiles(prepared.runDir).history;
  let ended = false;
  const append = async (record: HistoryRecord): Promise<void> => {
    await appendFile(history, `${JSON.stringify(record)}\n`);
    if (record.type === 'end') ended = true;
  };
  try {
    return await trainInRunDir(prepared, io, append);
  } catch (error) {
    // Readers then see a failed run rather than one that seems to run forever; best effort, the error matters more.
    const message = error instanceof LabError ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error);
    if (!ended) await append({ type: 'end', time: new Date().toISOString(), status: 'failed', error: message }).catch(() => undefined);
    throw error;
  }
}

async function trainInRunDir(
  { runDir, config, preset, resuming }: Awaited<ReturnType<typeof prepareRun>>,
  io: TrainIo,
  append: (record: HistoryRecord) => Promise<void>,
): Promise<TrainOutcome> {
  const files = runFiles(runDir);
  const progress = new Progress({ stream: io.log });
  const backend = await initBackend({ backend: config.backend, threads: config.threads ?? undefined });
  if (backend.note) progress.line(backend.note);

  const data = await loadDataset({
    dir: config.dataDir,
    dataset: config.dataset,
    limit: config.limit ?? undefined,
    testLimit: config.valLimit ?? undefined,
  });
  const rng = new Rng(config.seed);
  const restoreMathRandom = installMathRandom(rng);
  let closeBatches = async (): Promise<void> => {};
  try {
    const checkpoint = resuming ? await loadLatestCheckpoint(files.checkpoints) : null;
    const model = checkpoint ? (checkpoint.model as tf.Sequential) : preset.build();
    const { trainer, note } = await createTrainer(model, preset, config, backend.name);
    if (note) progress.line(note);
    const batchOptions = { batchSize: config.batchSize, seed: config.seed };
    // Batches are prepared in a worker thread while the current step trains.
    const batches = new Prefetcher(data.train, batchOptions, { state: (checkpoint?.state.batcher as BatcherState | undefined) ?? undefined });
    closeBatches = () => batches.close();
    const plan = planEpochs(preset, config, batches.stepsPerEpoch);
    if (plan.stepsPerEpoch < 1) {
      throw new LabError('BAD_ARGUMENT', `--batch-size ${config.batchSize} is larger than the ${data.train.count} training digits`, {
        hint: 'lower --batch-size or raise --limit',
      });
    }
    const state: LoopState = checkpoint?.state ?? {
      epoch: 0,
      stepInEpoch: 0,
      globalStep: 0,
      rng: rng.getState(),
      batcher: null,
      sums: { loss: 0, accuracy: 0, steps: 0 },
      seconds: 0,
    };
    if (checkpoint) {
      await trainer.setOptimizerState(checkpoint.optimizer);
      rng.setState(checkpoint.state.rng);
      await truncateHistory(files.history, state);
    }

    progress.line(`mnist-lab: ${preset.name} (${preset.title}) on ${trainer.engine}, run folder ${runDir}`);
    progress.line(`Steps per epoch: ${plan.stepsPerEpoch}`);
    await append({
      type: 'start',
      time: new Date().toISOString(),
      preset: preset.name,
      epochs: plan.epochs,
      stepsPerEpoch: plan.stepsPerEpoch,
      batchSize: config.batchSize,
      backend: trainer.engine,
      initialEpoch: state.epoch,
    });

    const validation = toBatch(data.test, 0, data.test.count);
    const result = await runLoop({
      config,
      preset,
      plan,
      model,
      trainer,
      batches,
      validation,
      rng,
      state,
      checkpointsDir: files.checkpoints,
      progress,
      signal: io.signal ?? new AbortController().signal,
      appendHistory: append,
      onEpochEnd: async (record, probabilities) => {
        if (config.pictures) await epochEndPictures(runDir, { set: data.test, probabilities });
        await io.onEpochEnd?.(runDir, record);
      },
    });
    await append({ type: 'end', time: new Date().toISOString(), status: result.status });
    const history = parseHistory(await readFile(files.history, 'utf8')).filter((r): r is EpochRecord => r.type === 'epoch');
    let metrics: RunMetrics | null = null;
    if (result.status === 'completed') {
      trainer.syncToModel();
      await saveModel(model, files.model);
      const last = history.at(-1);
      metrics = {
        preset: preset.name,
        dataset: config.dataset,
        test_accuracy: last?.val_accuracy ?? 0,
        test_loss: last?.val_loss ?? 0,
        errors: Math.round((1 - (last?.val_accuracy ?? 0)) * data.test.count),
        epochs: plan.epochs,
        steps: state.globalStep,
        seconds: round(state.seconds, 2),
        images_per_second: Math.round((state.globalStep * config.batchSize) / Math.max(state.seconds, 1e-9)),
        backend: trainer.engine,
        status: 'completed',
      };
      await writeFile(files.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
    } else {
      progress.line(`\nInterrupted: checkpoint written; continue with \`mnist-lab train --resume ${runDir}\``);
    }
    trainer.dispose();
    model.dispose();
    if (config.pictures) await finishRunPictures(runDir, { out: io.log, dataset: data });
    return { runDir, config, status: result.status, metrics, history };
  } finally {
    restoreMathRandom();
    await closeBatches();
  }
}

async function prepareRun(
  request: TrainRequest,
  io: TrainIo,
): Promise<{ runDir: string; config: TrainConfig; preset: Preset; resuming: boolean }> {
  if (request.resume) {
    const runDir = resolve(io.cwd, request.resume);
    const files = runFiles(runDir);
    let stored: unknown;
    try {
      stored = JSON.parse(await readFile(files.config, 'utf8'));
    } catch (cause) {
      throw new LabError('RUN_INCOMPLETE', `--resume ${request.resume}: no readable config.json in ${runDir}`, {
        hint: 'pass a run folder written by `mnist-lab train`',
        cause,
      });
    }
    const base = parseConfig(stored, files.config);
    const config = parseConfig({ ...base, ...(request.overrides?.epochs ? { epochs: request.overrides.epochs } : {}) }, 'resume');
    const preset = getPreset(config.preset, config.hp);
    await writeProcessMarker(runDir);
    await writeFile(files.config, `${JSON.stringify(config, null, 2)}\n`);
    return { runDir, config, preset, resuming: true };
  }
  if (!request.preset) throw new LabError('BAD_ARGUMENT', 'a preset name is required', { hint: 'see `mnist-lab models`' });
  const preset = getPreset(request.preset, request.hp);
  const dataset = request.dataset ?? 'mnist';
  const dataDir = locateDataDir({ dataDir: request.dataDir, env: io.env, dataset });
  const config = resolveConfig(preset, resolve(io.cwd, dataDir), { ...request.overrides, dataset }, request.hp ?? {});
  const runDir = resolve(io.cwd, request.out ?? `runs/${preset.name}-${timestamp()}`);
  await claimRunDir(runDir, request.force ?? false);
  await writeProcessMarker(runDir);
  await writeFile(runFiles(runDir).config, `${JSON.stringify(config, null, 2)}\n`);
  return { runDir, config, preset, resuming: false };
}

/** An existing, non-empty output folder is refused unless --force (which empties it). */
async function claimRunDir(runDir: string, force: boolean): Promise<void> {
  const entries = await readdir(runDir).catch(() => null);
  if (entries && entries.length > 0) {
    if (!force) {
      throw new LabError('OUTPUT_EXISTS', `--out ${runDir} already exists and is not empty`, {
        hint: 'choose another --out, add --force to overwrite it, or --resume it to continue training',
      });
    }
    await rm(runDir, { recursive: true, force: true });
  }
  await mkdir(runDir, { recursive: true });
}

/** process.json: this process writes the run (readers tell a live run from a dead one by it). */
async function writeProcessMarker(runDir: string): Promise<void> {
  const marker: RunProcess = { pid: process.pid, hostname: hostname(), started: new Date().toISOString() };
  await writeFile(runFiles(runDir).process, `${JSON.stringify(marker)}\n`);
}

/** Drops history written after the checkpoint being resumed, so the file reads as one uninterrupted run. */
async function truncateHistory(path: string, state: LoopState): Promise<void> {
  const records = parseHistory(await readFile(path, 'utf8').catch(() => ''));
  const kept = records.filter(
    (r) =>
      r.type === 'start' ||
      (r.type === 'batch' && r.globalStep < state.globalStep) ||
      (r.type === 'epoch' && r.epoch < state.epoch) ||
      (r.type === 'weights' && r.epoch <= state.epoch),
  );
  await writeFile(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
