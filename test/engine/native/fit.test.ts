// Whole models trained natively for several steps agree with TF.js's own model.fit (cpu backend) on the same initial
// weights and batches: per-batch losses and the final weights, for the architectures and recipes the codelab teaches.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { optimizerSpecOf } from '../../../src/engine/native/optimizer-spec.js';
import type { LossSpec } from '../../../src/engine/types.js';
import { batchNormalization } from '../../../src/models/layers/batch-norm.js';
import { Rng } from '../../../src/util/rng.js';
import { compile, describeNative, expectSameWeights, randomFloats, randomLabels, smoothedTargets, twin } from '../../helpers/native-reference.js';

interface Recipe {
  build: () => tf.Sequential;
  optimizer: () => tf.Optimizer;
  loss: LossSpec;
  steps?: number;
  batch?: number;
}

/** TF.js's loss for a recipe: the string losses, or Keras's label smoothing written as a loss function. */
function tfjsLoss(loss: LossSpec): string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) {
  if (loss.kind === 'sparse') return 'sparseCategoricalCrossentropy';
  if (loss.labelSmoothing === 0) return 'categoricalCrossentropy';
  return (yTrue, yPred) =>
    tf.metrics.categoricalCrossentropy(tf.add(tf.mul(yTrue, 1 - loss.labelSmoothing), loss.labelSmoothing / yTrue.shape[1]!), yPred);
}

/** Trains twins of the recipe's model natively and with model.fit; returns the per-batch losses of both. */
async function fitBoth(recipe: Recipe, seed: number): Promise<{ native: number[]; fit: number[] }> {
  const steps = recipe.steps ?? 4;
  const batch = recipe.batch ?? 8;
  const [nativeModel, fitModel] = twin(recipe.build, seed);
  const features = nativeModel.inputs[0].shape[1] as number;
  const rng = new Rng(seed + 1);
  const xs = randomFloats(rng, steps * batch * features);
  const labels = randomLabels(rng, steps * batch);

  const optimizer = recipe.optimizer();
  const spec = optimizerSpecOf(optimizer);
  if ('unsupported' in spec) throw new Error(spec.unsupported);
  const lr = (optimizer as unknown as { learningRate: number }).learningRate;
  const trainer = compile(nativeModel, { optimizer: spec, loss: recipe.loss, batchSize: batch });
  const native = Array.from({ length: steps }, (_, i) => {
    const rows = [i * batch, (i + 1) * batch];
    return trainer.step(xs.subarray(rows[0] * features, rows[1] * features), labels.subarray(rows[0], rows[1]), lr, i).loss;
  });
  trainer.pushWeightsToModel();
  trainer.dispose();

  fitModel.compile({ optimizer, loss: tfjsLoss(recipe.loss), metrics: ['accuracy'] });
  const x = tf.tensor2d(xs, [steps * batch, features]);
  const y = recipe.loss.kind === 'sparse' ? tf.tensor2d(Array.from(labels), [steps * batch, 1]) : smoothedTargets(labels, 10, 0);
  const fit: number[] = [];
  await fitModel.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0, callbacks: { onBatchEnd: async (_, logs) => void fit.push(logs!.loss) } });
  tf.dispose([x, y]);
  expectSameWeights(nativeModel, fitModel, 1e-5, 1e-4);
  optimizer.dispose();
  return { native, fit };
}

async function expectSameTraining(recipe: Recipe, seed: number): Promise<void> {
  const { native, fit } = await fitBoth(recipe, seed);
  expect(native).toHaveLength(fit.length);
  native.forEach((loss, i) => expect(loss, `loss of batch ${i}`).toBeCloseTo(fit[i], 4));
  // The steps changed the model: later batches are scored after earlier updates.
  expect(new Set(native.map((l) => l.toFixed(6))).size).toBe(native.length);
}

const CATEGORICAL: LossSpec = { kind: 'categorical', labelSmoothing: 0 };

const maxPoolCnn = (): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [100], targetShape: [10, 10, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 4, activation: 'relu', padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ kernelSize: 3, filters: 6, activation: 'relu', padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 12, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });

const gapHead = (): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 6, useBias: false, padding: 'same' }),
      batchNormalization({ center: true, scale: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ kernelSize: 3, filters: 10, strides: 2, padding: 'same' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.activation({ activation: 'softmax' }),
    ],
  });

const mlp = (activation: 'tanh' | 'sigmoid' | 'relu') => (): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [20], units: 16, activation }),
      tf.layers.dense({ units: 8, activation }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });

describeNative('native training vs TF.js model.fit', () => {
  it('a max-pooling CNN with Adam', () => expectSameTraining({ build: maxPoolCnn, optimizer: () => tf.train.adam(0.01), loss: CATEGORICAL }, 1));

  it('a global-average-pooling head ending in Activation(softmax), with batch norm and SGD', () =>
    expectSameTraining({ build: gapHead, optimizer: () => tf.train.sgd(0.2), loss: CATEGORICAL }, 2));

  it('a tanh MLP with RMSprop (momentum 0.3)', () =>
    expectSameTraining({ build: mlp('tanh'), optimizer: () => tf.train.rmsprop(0.01, 0.9, 0.3), loss: CATEGORICAL }, 3));

  it('SGD with Nesterov momentum', () =>
    expectSameTraining({ build: mlp('sigmoid'), optimizer: () => tf.train.momentum(0.5, 0.9, true), loss: CATEGORICAL }, 4));

  it('sparse categorical cross-entropy (class-id labels)', () =>
    expectSameTraining({ build: mlp('relu'), optimizer: () => tf.train.adam(0.01), loss: { kind: 'sparse', labelSmoothing: 0 } }, 5));

  it('label smoothing 0.1 (Keras\'s smoothed targets as the TF.js loss)', () =>
    expectSameTraining({ build: mlp('relu'), optimizer: () => tf.train.momentum(0.1, 0.9), loss: { kind: 'categorical', labelSmoothing: 0.1 } }, 6));
});
