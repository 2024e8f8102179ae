// The architectures the speed benchmark trains, by name: two ladder steps and three lab files in examples/ (max-pooling,
// a global-average-pooling head, a small pooling CNN), each mirrored layer for layer in bench/torch_train.py.
import type * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { learningRateOf } from '../src/engine/learning-rate.js';
import { describeStepFile } from '../src/runner/describe-step.js';

export const BENCH_MODELS = ['10-conv-bn', '03-relu-adam', 'codelab-maxpool', 'gap-head', 'small-pool-cnn'] as const;
export type BenchModelName = (typeof BENCH_MODELS)[number];

const LADDER_STEPS: readonly string[] = ['10-conv-bn', '03-relu-adam'];

/** The model as its lab file builds it (weights from seed 0), and the learning rate its optimizer starts with. */
export async function benchModel(name: BenchModelName): Promise<{ model: tf.Sequential; lr: number }> {
  const file = LADDER_STEPS.includes(name) ? name : fileURLToPath(new URL(`../examples/${name}.ts`, import.meta.url));
  const { model } = await describeStepFile(file);
  return { model: model as tf.Sequential, lr: learningRateOf(model.optimizer) };
}
