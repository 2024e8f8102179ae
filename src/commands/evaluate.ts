// `mnist-lab eval`: accuracy, loss and errors of a saved model on the 10k test set, optionally with test-time augmentation.
import { loadDataset } from '../data/load.js';
import { locateDataDir } from '../data/locate.js';
import type { DatasetName } from '../data/types.js';
import { initBackend } from '../engine/backend.js';
import { loadModel } from '../models/io.js';
import { choosePredictor } from '../engine/front-door.js';
import { scoreProbabilities } from '../util/probability-score.js';
import { TTA_SHIFTS, ttaProbabilities } from '../predict/tta.js';
import { readRunConfig } from '../run/reader.js';
import { toBatch } from '../data/pipeline.js';
import { printJson, type CommandIo } from './io.js';
import { resolveModelDir } from './model-dir.js';

export interface EvalOptions {
  path: string;
  dataDir?: string;
  dataset?: DatasetName;
  limit?: number;
  json?: boolean;
  backend?: 'auto' | 'native' | 'wasm' | 'cpu';
  /** Average the probabilities over each digit and its 1-pixel shifts (TTA_SHIFTS). */
  tta?: boolean;
}

export interface EvalReport {
  model: string;
  dataset: DatasetName;
  count: number;
  test_accuracy: number;
  test_loss: number;
  errors: number;
  /** Variants of each digit whose probabilities were averaged: 1 without --tta. */
  tta_variants: number;
  seconds: number;
}

export async function evalCommand(opts: EvalOptions, io: CommandIo): Promise<EvalReport> {
  const { modelDir, runDir } = resolveModelDir(io.cwd, opts.path);
  const dataset = opts.dataset ?? (runDir ? await runDataset(runDir) : 'mnist');
  const dir = locateDataDir({ dataDir: opts.dataDir, env: io.env, dataset });
  await initBackend({ backend: opts.backend ?? 'auto' });
  const data = await loadDataset({ dir, dataset, limit: 1, testLimit: opts.limit });
  const model = await loadModel(modelDir);
  const start = performance.now();
  const test = toBatch(data.test, 0, data.test.count);
  const predictor = await choosePredictor(model);
  const predict = (images: Float32Array, count: number) => predictor.probabilities(images, count);
  const probabilities = opts.tta ? ttaProbabilities(test.xs, test.size, predict) : predict(test.xs, test.size);
  predictor.dispose();
  model.dispose();
  const score = scoreProbabilities(probabilities, test.labels, test.size);
  const report: EvalReport = {
    model: modelDir,
    dataset,
    count: test.size,
    test_accuracy: score.accuracy,
    test_loss: score.loss,
    errors: Math.round((1 - score.accuracy) * test.size),
    tta_variants: opts.tta ? TTA_SHIFTS.length : 1,
    seconds: Number(((performance.now() - start) / 1000).toFixed(3)),
  };
  if (opts.json) printJson(io, report);
  else
    io.stdout.write(
      `${modelDir}\n  test accuracy ${(report.test_accuracy * 100).toFixed(2)}%  loss ${report.test_loss.toFixed(4)}  ` +
        `errors ${report.errors}/${report.count}${opts.tta ? `  (TTA: mean of ${report.tta_variants} variants)` : ''}  (${report.seconds}s)\n`,
    );
  return report;
}

/** The dataset a run trained on (a model folder outside a run, or a run without a readable config: MNIST). */
async function runDataset(runDir: string): Promise<DatasetName> {
  const config = await readRunConfig(runDir).catch(() => null);
  return config?.dataset ?? 'mnist';
}
