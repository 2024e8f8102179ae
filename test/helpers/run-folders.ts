// Test fixtures: real MNIST from the shared folder, a quickly trained softmax model and run folders written by hand.
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadDataset } from '../../src/data/load.js';
import { PIXELS, type Dataset } from '../../src/data/types.js';
import { saveModel } from '../../src/models/io.js';
import { runFiles } from '../../src/run/layout.js';
import { NO_OVERRIDES, type HistoryRecord, type RunConfig, type RunMetrics } from '../../src/run/schema.js';
import { loadStep } from '../../src/runner/step-file.js';
import { lrSeries } from '../../src/train/schedules.js';
import { stepModel } from './steps.js';

export { MNIST_DIR } from './paths.js';
import { MNIST_DIR } from './paths.js';

let mnist: Promise<Dataset> | null = null;
export function loadMnist(): Promise<Dataset> {
  mnist ??= loadDataset({ dir: MNIST_DIR, dataset: 'mnist' });
  return mnist;
}

/** A 1-layer softmax trained for a few Adam steps on the first training digits: right often, wrong often enough. */
export async function trainTinyModel(dataset: Dataset, steps = 20, batch = 100): Promise<tf.Sequential> {
  const model = await stepModel('01-softmax');
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const n = steps * batch;
  const xs = tf.tensor2d(Float32Array.from(dataset.train.images.subarray(0, n * PIXELS), (v) => v / 256), [n, PIXELS]);
  const ys = tf.oneHot(tf.tensor1d(dataset.train.labels.subarray(0, n), 'int32'), 10);
  await model.fit(xs, ys, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  return model;
}

export interface RunFixture {
  preset: string;
  /** Epochs the config plans. */
  epochs: number;
  /** Epochs already in history.jsonl (fewer than `epochs` for a run still training). */
  trainedEpochs: number;
  stepsPerEpoch?: number;
  valLimit?: number | null;
  /** Written to model/ when given. */
  model?: tf.LayersModel;
  /** Write metrics.json (a finished run). */
  metrics?: boolean;
  /** Offsets the synthetic curves so two runs differ. */
  quality?: number;
  /** PlotTraining's zoom in the start record (default 1). */
  zoom?: number;
}

/** Synthetic but plausible history: a start record, a batch sample every 10 steps, one record per epoch. */
export function syntheticHistory(
  f: Required<Pick<RunFixture, 'preset' | 'epochs' | 'trainedEpochs'>> & { stepsPerEpoch: number; quality: number; zoom?: number },
): HistoryRecord[] {
  const records: HistoryRecord[] = [
    {
      type: 'start',
      time: '2026-01-01T00:00:00Z',
      step: f.preset,
      epochs: f.epochs,
      stepsPerEpoch: f.stepsPerEpoch,
      batchSize: 128,
      engine: 'tfjs-cpu',
      initialEpoch: 0,
      optimizer: 'Adam (learningRate 0.01)',
      loss: 'categoricalCrossentropy',
      lr: lrSeries((e) => 0.01 * Math.pow(0.6, e), f.epochs, f.stepsPerEpoch),
      zoom: f.zoom ?? 1,
      xTitle: 'epochs',
    },
  ];
  // Weight bands that widen as training goes, as real ones do (bucket boundaries, min … max).
  const spread = (scale: number) => [-1, -0.4, -0.15, -0.05, 0.05, 0.15, 0.4, 1].map((v) => v * scale);
  const weightsAfter = (epoch: number): HistoryRecord => ({ type: 'weights', epoch, weights: spread(0.25 + 0.05 * epoch), biases: spread(0.02 * epoch) });
  records.push(weightsAfter(0));
  for (let epoch = 0; epoch < f.trainedEpochs; epoch++) {
    for (let step = 0; step < f.stepsPerEpoch; step += 10) {
      const globalStep = epoch * f.stepsPerEpoch + step;
      const t = globalStep / (f.stepsPerEpoch * f.epochs);
      const wiggle = 0.02 * Math.sin(globalStep * 1.7);
      records.push({ type: 'batch', epoch, step, globalStep, loss: 0.05 + 0.8 * Math.exp(-6 * t) + wiggle, accuracy: f.quality - 0.2 * Math.exp(-6 * t) + wiggle / 2, lr: 0.01 });
    }
    const e = epoch + 1;
    records.push({ type: 'epoch', epoch, loss: 0.1 / e, accuracy: f.quality - 0.05 / e, val_loss: 0.05 + 0.1 / e, val_accuracy: f.quality - 0.04 / e, lr: 0.01, seconds: 2 + epoch });
    records.push(weightsAfter(e));
  }
  return records;
}

/** The config.json a run of a ladder step writes, as `train <preset> --epochs N [--val-limit N]` would. */
export async function fixtureConfig(preset: string, options: { epochs?: number; valLimit?: number | null } = {}): Promise<RunConfig> {
  const step = await loadStep(preset, { cwd: process.cwd(), typecheck: false });
  return {
    version: 2,
    step: { name: step.name, file: step.file, sha256: step.sha256, builtin: true },
    about: step.about,
    dataset: 'mnist',
    dataDir: MNIST_DIR,
    seed: 0,
    overrides: { ...NO_OVERRIDES, epochs: options.epochs ?? null, valLimit: options.valLimit ?? null },
    hp: {},
    backend: 'cpu',
    threads: null,
    pictures: true,
  };
}

/** Writes config.json, history.jsonl and, as asked, model/ and metrics.json into `runDir`. */
export async function writeRun(runDir: string, fixture: RunFixture): Promise<void> {
  const files = runFiles(runDir);
  await mkdir(runDir, { recursive: true });
  const config = await fixtureConfig(fixture.preset, { epochs: fixture.epochs, valLimit: fixture.valLimit });
  await writeFile(files.config, `${JSON.stringify(config, null, 2)}\n`);
  const history = syntheticHistory({
    preset: fixture.preset,
    epochs: fixture.epochs,
    trainedEpochs: fixture.trainedEpochs,
    stepsPerEpoch: fixture.stepsPerEpoch ?? 100,
    quality: fixture.quality ?? 0.97,
    zoom: fixture.zoom,
  });
  await writeFile(files.history, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  if (fixture.model) await saveModel(fixture.model, files.model);
  if (fixture.metrics) {
    const last = history.filter((r) => r.type === 'epoch').at(-1);
    const metrics: RunMetrics = {
      step: fixture.preset,
      dataset: 'mnist',
      test_accuracy: last?.type === 'epoch' ? last.val_accuracy : 0,
      test_loss: last?.type === 'epoch' ? last.val_loss : 0,
      errors: 123,
      test_count: fixture.valLimit ?? 10_000,
      epochs: fixture.trainedEpochs,
      steps: fixture.trainedEpochs * (fixture.stepsPerEpoch ?? 100),
      seconds: 12.5,
      images_per_second: 4321,
      engine: 'tfjs-cpu',
      status: 'completed',
    };
    await writeFile(files.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  }
}
