// mnist-lab side of bench/train-speed.ts: trains (compiled trainer) or runs inference (compiled predictor) with
// the native engine on one of bench/models.ts's architectures; prints one JSON line.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { locateDataDir } from '../src/data/locate.js';
import { loadDataset } from '../src/data/load.js';
import { scalePixels } from '../src/data/scale.js';
import { PIXELS, type DigitSet } from '../src/data/types.js';
import { compilePredictor, compileTrainer, nativeStatus, optimizerSpecOf, registerNativeBackend } from '../src/engine/native/index.js';
import { BENCH_MODELS, type BenchModelName, benchModel } from './models.js';

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
  return scalePixels(set.images.subarray(start * PIXELS, (start + count) * PIXELS));
}

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  if (!BENCH_MODELS.includes(args.model as BenchModelName)) throw new Error(`--model must be one of ${BENCH_MODELS.join(', ')}; got ${args.model}`);
  const batch = Number(args.batch);
  const steps = Number(args.steps);
  const warmup = Number(args.warmup);
  const threads = args.threads === undefined ? undefined : Number(args.threads);
  const dir = locateDataDir({ dataDir: args['data-dir'], env: process.env, dataset: 'mnist' });
  const data = await loadDataset({ dir, dataset: 'mnist', testLimit: args.mode === 'train' ? 1 : undefined });
  const { model, lr } = await benchModel(args.model as BenchModelName);
  const status = nativeStatus();
  const result: Record<string, unknown> = {
    engine: `mnist-lab native (oneDNN ${status.ok ? status.onednnVersion : '?'})`,
    model: args.model,
    batch,
    mode: args.mode,
    threads: threads ?? (status.ok ? status.threads : null),
  };

  if (args.mode === 'train') {
    const adam = tf.train.adam(lr, 0.9, 0.999, 1e-7);
    const optimizer = optimizerSpecOf(adam);
    if ('unsupported' in optimizer) throw new Error(optimizer.unsupported);
    const compiled = compileTrainer(model, { optimizer, loss: { kind: 'categorical', labelSmoothing: 0 }, batchSize: batch, threads });
    if (!compiled.trainer) throw new Error(compiled.reason);
    const trainer = compiled.trainer;
    const pool = Array.from({ length: POOL_BATCHES }, (_, i) => ({
      xs: scaled(data.train, i * batch, batch),
      labels: data.train.labels.slice(i * batch, (i + 1) * batch),
    }));
    let last = { loss: 0, accuracy: 0 };
    for (let i = 0; i < warmup; i++) trainer.step(pool[i % POOL_BATCHES].xs, pool[i % POOL_BATCHES].labels, lr, i);
    const rssAfterWarmupMB = process.memoryUsage().rss / 2 ** 20;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) last = trainer.step(pool[i % POOL_BATCHES].xs, pool[i % POOL_BATCHES].labels, lr, i);
    const seconds = (performance.now() - t0) / 1000;
    // RSS must stay flat while training: no per-step allocation in the native step.
    const rssGrowthMB = process.memoryUsage().rss / 2 ** 20 - rssAfterWarmupMB;
    Object.assign(result, { steps, seconds, imagesPerSecond: (steps * batch) / seconds, loss: last.loss, rssGrowthMB });
    trainer.dispose();
  } else {
    const compiled = compilePredictor(model, { maxBatch: batch, threads });
    if (!compiled.predictor) throw new Error(compiled.reason);
    const predictor = compiled.predictor;
    const xs = scaled(data.test, 0, data.test.count);
    let best = Infinity;
    for (let rep = 0; rep < warmup + 3; rep++) {
      const t0 = performance.now();
      predictor.probabilities(xs, data.test.count);
      if (rep >= warmup) best = Math.min(best, (performance.now() - t0) / 1000);
    }
    predictor.dispose();
    // The peak of the compiled path, which the row reports; model.predict below has its own row and no RSS column.
    result.peakRssMB = peakRssMB();
    // The same inference through TF.js on the 'native' backend (model.predict), for comparison.
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
      count: data.test.count, seconds: best, imagesPerSecond: data.test.count / best,
      backendPredictImagesPerSecond: data.test.count / bestPredict,
    });
  }
  result.peakRssMB ??= peakRssMB();
  console.log(JSON.stringify(result));
}

await main();
