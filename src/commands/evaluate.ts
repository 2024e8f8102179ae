// `mnist-lab eval`: accuracy, loss and errors of a saved model on the 10k test set.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { loadDataset } from '../data/load.js';
import { locateDataDir } from '../data/locate.js';
import type { DatasetName } from '../data/types.js';
import { initBackend } from '../engine/backend.js';
import { loadModel } from '../models/io.js';
import { predictProbabilities } from '../predict/predict.js';
import { scoreProbabilities } from '../train/tfjs-trainer.js';
import { runFiles } from '../train/run-layout.js';
import { toBatch, type Batch } from '../data/pipeline.js';
import { printJson, type CommandIo } from './io.js';
import { resolveModelDir } from './model-dir.js';

const EVAL_BATCH = 1000;

export interface EvalOptions {
  path: string;
  dataDir?: string;
  dataset?: DatasetName;
  limit?: number;
  json?: boolean;
  backend?: 'auto' | 'native' | 'wasm' | 'cpu';
}

export interface EvalReport {
  model: string;
  dataset: DatasetName;
  count: number;
  test_accuracy: number;
  test_loss: number;
  errors: number;
  seconds: number;
}

export async function evalCommand(opts: EvalOptions, io: CommandIo): Promise<EvalReport> {
  const { modelDir, runDir } = resolveModelDir(io.cwd, opts.path);
  const dataset = opts.dataset ?? (runDir ? await runDataset(runDir) : 'mnist');
  const dir = locateDataDir({ dataDir: opts.dataDir, env: io.env, dataset });
  const backend = await initBackend({ backend: opts.backend ?? 'auto' });
  const data = await loadDataset({ dir, dataset, limit: 1, testLimit: opts.limit });
  const model = await loadModel(modelDir);
  const start = performance.now();
  const test = toBatch(data.test, 0, data.test.count);
  const probabilities = (backend.name === 'native' && (await compiledProbabilities(model, test))) || predictProbabilities(model, test.xs, test.size);
  model.dispose();
  const score = scoreProbabilities(probabilities, test.labels, test.size);
  const report: EvalReport = {
    model: modelDir,
    dataset,
    count: test.size,
    test_accuracy: score.accuracy,
    test_loss: score.loss,
    errors: Math.round((1 - score.accuracy) * test.size),
    seconds: Number(((performance.now() - start) / 1000).toFixed(3)),
  };
  if (opts.json) printJson(io, report);
  else
    io.stdout.write(
      `${modelDir}\n  test accuracy ${(report.test_accuracy * 100).toFixed(2)}%  loss ${report.test_loss.toFixed(4)}  ` +
        `errors ${report.errors}/${report.count}  (${report.seconds}s)\n`,
    );
  return report;
}

/**
 * The native engine's compiled inference (2.4× PyTorch on the test set, against 0.94× through TF.js's
 * model.predict on the native backend; bench/train-speed.ts), or null for a model it cannot compile.
 */
async function compiledProbabilities(model: tf.LayersModel, test: Batch): Promise<Float32Array | null> {
  if (!(model instanceof tf.Sequential)) return null;
  const { compileTrainer } = await import('../engine/native/compile.js');
  const compiled = compileTrainer(model, { optimizer: { kind: 'sgd', lr: 0 }, batchSize: EVAL_BATCH });
  if (!compiled.trainer) return null;
  try {
    return compiled.trainer.evaluate(test.xs, test.labels, test.size).probabilities;
  } finally {
    compiled.trainer.dispose();
  }
}

async function runDataset(runDir: string): Promise<DatasetName> {
  try {
    const config = JSON.parse(await readFile(runFiles(runDir).config, 'utf8')) as { dataset?: DatasetName };
    return config.dataset ?? 'mnist';
  } catch {
    return 'mnist';
  }
}
