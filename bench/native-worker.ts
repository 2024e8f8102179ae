// mnist-lab side of bench/train-speed.ts: trains or runs inference with the native engine; prints one JSON line.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { locateDataDir } from '../src/data/locate.js';
import { loadDataset } from '../src/data/load.js';
import { PIXELS, type DigitSet } from '../src/data/types.js';
import { compileTrainer } from '../src/engine/native/compile.js';
import { nativeStatus, registerNativeBackend } from '../src/engine/native/index.js';
import { describeStepFile } from '../src/runner/describe-step.js';
import { learningRateOf } from '../src/engine/learning-rate.js';

/** Both engines cycle through the same number of pre-built batches (see torch_train.py). */
const POOL_BATCHES = 20;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    batch: { type: 'string' },
    steps: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    threads: { type: 'string' },
    'data-dir': { type: 'string' },
    mode: { type: 'string', default: 'train' },
  },
});

function scaled(set: DigitSet, start: number, count: number): Float32Array {
  return Float32Array.from(set.images.subarray(start * PIXELS, (start + count) * PIXELS), (v) => v / 256);
}

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  // The step's own model and compiled optimizer, as its lab file builds them (weights from seed 0).
  const plan = await describeStepFile(args.model!);
  const model = plan.model as tf.Sequential;
  const optimizer = { kind: (model.optimizer.getClassName() === 'Adam' ? 'adam' : 'sgd') as 'adam' | 'sgd', lr: learningRateOf(model.optimizer) };
  const batch = Number(args.batch);
  const steps = Number(args.steps);
  const warmup = Number(args.warmup);
  const threads = args.threads === undefined ? undefined : Number(args.threads);
  const dir = locateDataDir({ dataDir: args['data-dir'], env: process.env, dataset: 'mnist' });
  const data = await loadDataset({ dir, dataset: 'mnist', testLimit: args.mode === 'train' ? 1 : undefined });
  const compiled = compileTrainer(model, { optimizer, batchSize: batch, threads });
  if (!compiled.trainer) throw new Error(compiled.reason);
  const trainer = compiled.trainer;
  const status = nativeStatus();
  const result: Record<string, unknown> = {
    engine: `mnist-lab native (oneDNN ${status.ok ? status.onednnVersion : '?'})`,
    model: args.model,
    batch,
    mode: args.mode,
    threads: status.ok ? status.threads : null,
  };

  if (args.mode === 'train') {
    const pool = Array.from({ length: POOL_BATCHES }, (_, i) => ({
      xs: scaled(data.train, i * batch, batch),
      labels: data.train.labels.slice(i * batch, (i + 1) * batch),
    }));
    const lr = optimizer.lr;
    let last = { loss: 0, accuracy: 0 };
    for (let i = 0; i < warmup; i++) trainer.step(pool[i % POOL_BATCHES].xs, pool[i % POOL_BATCHES].labels, lr, i);
    const rssAfterWarmupMB = process.memoryUsage().rss / 2 ** 20;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) last = trainer.step(pool[i % POOL_BATCHES].xs, pool[i % POOL_BATCHES].labels, lr, i);
    const seconds = (performance.now() - t0) / 1000;
    // RSS must stay flat while training: no per-step allocation in the native step.
    const rssGrowthMB = process.memoryUsage().rss / 2 ** 20 - rssAfterWarmupMB;
    Object.assign(result, { steps, seconds, imagesPerSecond: (steps * batch) / seconds, loss: last.loss, rssGrowthMB });
  } else {
    const xs = scaled(data.test, 0, data.test.count);
    let best = Infinity;
    let accuracy = 0;
    for (let rep = 0; rep < warmup + 3; rep++) {
      const t0 = performance.now();
      accuracy = trainer.evaluate(xs, data.test.labels, data.test.count).accuracy;
      if (rep >= warmup) best = Math.min(best, (performance.now() - t0) / 1000);
    }
    // The same inference through TF.js on the 'native' backend (model.predict), for comparison.
    trainer.pushWeightsToModel();
    await registerNativeBackend({ threads });
    const input = tf.tensor2d(xs, [data.test.count, PIXELS]);
    let bestPredict = Infinity;
    for (let rep = 0; rep < warmup + 3; rep++) {
      const t0 = performance.now();
      tf.tidy(() => (model.predict(input, { batchSize: batch }) as tf.Tensor).argMax(1).dataSync());
      if (rep >= warmup) bestPredict = Math.min(bestPredict, (performance.now() - t0) / 1000);
    }
    input.dispose();
    Object.assign(result, {
      count: data.test.count, seconds: best, imagesPerSecond: data.test.count / best, accuracy,
      backendPredictImagesPerSecond: data.test.count / bestPredict,
    });
  }
  trainer.dispose();
  result.peakRssMB = peakRssMB();
  console.log(JSON.stringify(result));
}

await main();
