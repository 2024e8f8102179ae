// Does augmentation slow training? Times the pipeline alone (TrainBatches, and the Prefetcher's worker) and a short
// native training of 10-conv-bn fed by the Prefetcher, with augmentation off and on, alternating in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { AugmentOptions } from '../src/data/augment.js';
import { loadDataset } from '../src/data/load.js';
import { locateDataDir } from '../src/data/locate.js';
import { TrainBatches, type TrainBatchesOptions } from '../src/data/pipeline.js';
import { Prefetcher } from '../src/data/prefetch.js';
import type { DigitSet } from '../src/data/types.js';
import { compileTrainer, optimizerSpecOf, type CompiledTrainer } from '../src/engine/native/index.js';
import { describeStepFile } from '../src/runner/describe-step.js';
import type * as tf from '@tensorflow/tfjs';
import { machineNote, median } from './train-speed.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    batch: { type: 'string', default: '128' },
    'pipeline-batches': { type: 'string', default: '400' },
    threads: { type: 'string', default: String(cpus().length) },
    shift: { type: 'string', default: '2' },
    rotate: { type: 'string', default: '10' },
    scale: { type: 'string', default: '0.1' },
    'data-dir': { type: 'string' },
  },
});

const count = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer; got ${values[name]}`);
  return n;
};
const rounds = count('rounds');
const steps = count('steps');
const warmup = count('warmup');
const batchSize = count('batch');
const pipelineBatches = count('pipeline-batches');
const threads = count('threads');
const augment: AugmentOptions = { shift: Number(values.shift), rotate: Number(values.rotate), scale: Number(values.scale) };

type Setting = 'off' | 'on';
const optionsFor = (setting: Setting, seed: number): TrainBatchesOptions => ({
  batchSize,
  seed,
  augment: setting === 'on' ? augment : undefined,
});

/** Images per second of `take` calls of `batch` (one batch each) back to back, after `skip` untimed ones. */
function imagesPerSecond(batch: () => void, take: number, skip: number): number {
  for (let i = 0; i < skip; i++) batch();
  const t0 = performance.now();
  for (let i = 0; i < take; i++) batch();
  return (take * batchSize) / ((performance.now() - t0) / 1000);
}

/** The pipeline on the calling thread: shuffle, gather, augment. */
function pipelineSpeed(set: DigitSet, setting: Setting, round: number): number {
  const batches = new TrainBatches(set, optionsFor(setting, round));
  return imagesPerSecond(() => batches.next(), pipelineBatches, 0);
}

/** The worker alone: how fast the Prefetcher delivers when nothing else runs (its depth of batches start ready). */
async function prefetchSpeed(set: DigitSet, setting: Setting, round: number): Promise<number> {
  const prefetcher = new Prefetcher(set, optionsFor(setting, round));
  try {
    return imagesPerSecond(() => prefetcher.next(), pipelineBatches, 5);
  } finally {
    await prefetcher.close();
  }
}

/** Training as `mnist-lab train` feeds it: the native step on batches the Prefetcher's worker prepares meanwhile. */
async function trainingSpeed(trainer: CompiledTrainer, lr: number, set: DigitSet, setting: Setting, round: number): Promise<number> {
  const prefetcher = new Prefetcher(set, optionsFor(setting, round));
  try {
    let step = 0;
    const trainStep = (): void => {
      const batch = prefetcher.next();
      trainer.step(batch.xs, batch.labels, lr, step++);
    };
    return imagesPerSecond(trainStep, steps, warmup);
  } finally {
    await prefetcher.close();
  }
}

interface Row {
  measurement: string;
  off: number[];
  on: number[];
}

function formatTable(rows: Row[]): string {
  const all = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
  const lines = [
    '| measurement | augmentation off, img/s best [rounds] | on, img/s best [rounds] | on / off, best (median) |',
    '|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio = Math.max(...r.on) / Math.max(...r.off);
    lines.push(
      `| ${r.measurement} | ${Math.max(...r.off).toFixed(0)} [${all(r.off)}] | ${Math.max(...r.on).toFixed(0)} [${all(r.on)}] | ` +
        `${ratio.toFixed(3)} (${(median(r.on) / median(r.off)).toFixed(3)}) |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dir = locateDataDir({ dataDir: values['data-dir'], env: process.env, dataset: 'mnist' });
  const { train } = await loadDataset({ dir, dataset: 'mnist', testLimit: 1 });
  // 10-conv-bn as its lab file builds it (Adam at 0.01).
  const model = (await describeStepFile('10-conv-bn')).model as tf.Sequential;
  const lr = 0.01;
  const optimizer = optimizerSpecOf(model.optimizer);
  if ('unsupported' in optimizer) throw new Error(optimizer.unsupported);
  const compiled = compileTrainer(model, { optimizer, loss: { kind: 'categorical', labelSmoothing: 0 }, batchSize, threads });
  if (!compiled.trainer) throw new Error(`the native engine cannot train 10-conv-bn here: ${compiled.reason}`);
  const trainer = compiled.trainer;

  const rows: Row[] = [
    { measurement: `pipeline on the main thread (batch ${batchSize}, ${pipelineBatches} batches)`, off: [], on: [] },
    { measurement: `Prefetcher worker alone (${pipelineBatches} batches)`, off: [], on: [] },
    { measurement: `native training of 10-conv-bn, ${threads} threads, fed by the Prefetcher (${steps} steps)`, off: [], on: [] },
  ];
  const measures = [
    (s: Setting, round: number) => Promise.resolve(pipelineSpeed(train, s, round)),
    (s: Setting, round: number) => prefetchSpeed(train, s, round),
    (s: Setting, round: number) => trainingSpeed(trainer, lr, train, s, round),
  ];
  for (let round = 0; round < rounds; round++) {
    // Alternate which setting goes first, so that a drift in the machine's load does not favour one.
    const order: Setting[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const [i, measure] of measures.entries()) {
      for (const setting of order) rows[i][setting].push(await measure(setting, round));
    }
    const training = rows[2];
    process.stderr.write(
      `  round ${round + 1}: training ${training.off.at(-1)!.toFixed(0)} img/s off, ${training.on.at(-1)!.toFixed(0)} on; ` +
        `pipeline ${rows[0].off.at(-1)!.toFixed(0)} / ${rows[0].on.at(-1)!.toFixed(0)} img/s\n`,
    );
  }
  trainer.dispose();

  const training = rows[2];
  const ratio = Math.max(...training.on) / Math.max(...training.off);
  const verdict =
    ratio >= 0.9
      ? `Training with augmentation runs at ${(ratio * 100).toFixed(1)}% of the speed without (goal: within 10%).`
      : `Training with augmentation runs at only ${(ratio * 100).toFixed(1)}% of the speed without: more than the 10% allowed.`;
  // What augmenting one digit costs on one core, and the share of the machine that is at the training speed.
  const pipeline = rows[0];
  const extraSeconds = 1 / Math.max(...pipeline.on) - 1 / Math.max(...pipeline.off);
  const share = extraSeconds * Math.max(...training.off) / cpus().length;
  const cost =
    `Augmenting costs ${(extraSeconds * 1e6).toFixed(1)} µs of one core per digit beyond the plain gather: ` +
    `${(share * 100).toFixed(1)}% of this ${cpus().length}-core machine at ${Math.max(...training.off).toFixed(0)} trained digits/s.`;
  const report =
    `${formatTable(rows)}\n\n${verdict}\n${cost}\nAugmentation: ${JSON.stringify(augment)}. ` +
    `Machine: ${machineNote()}. Command: node --import tsx bench/augment-speed.ts ${process.argv.slice(2).join(' ')}`.trimEnd();
  console.log(report);
  mkdirSync('build/bench', { recursive: true });
  writeFileSync('build/bench/augment-speed.md', `${report}\n`);
  writeFileSync('build/bench/augment-speed.json', `${JSON.stringify({ augment, batchSize, steps, threads, rows }, null, 2)}\n`);
}

await main();
