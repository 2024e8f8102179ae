// Shared by the native-engine tests: the suite guard (skipped only with MNIST_LAB_SKIP_NATIVE=1, failing when the
// addon is missing), seeded data and model builders, and the TF.js cpu reference training step.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe } from 'vitest';
import { type NativeAddon, loadAddon } from '../../src/engine/native/addon.js';
import { compileTrainer } from '../../src/engine/native/compile-trainer.js';
import type { CompiledTrainer, TrainerOptions } from '../../src/engine/types.js';
import { batchNormalization } from '../../src/models/layers/batch-norm.js';
import { Rng } from '../../src/util/rng.js';
import { SKIP_NATIVE } from './native.js';
import { expectAllClose } from './allclose.js';


/** The addon; throws (failing the test) with the reason it cannot load. */
export function nativeAddon(): NativeAddon {
  const loaded = loadAddon();
  if (!('addon' in loaded)) throw new Error(`the native engine must load for these tests (set MNIST_LAB_SKIP_NATIVE=1 to skip them): ${loaded.reason}`);
  return loaded.addon;
}

/** A native test suite on the TF.js cpu backend: skipped with MNIST_LAB_SKIP_NATIVE=1, failing without the addon. */
export function describeNative(name: string, body: () => void): void {
  describe.skipIf(SKIP_NATIVE)(SKIP_NATIVE ? `${name} (skipped: MNIST_LAB_SKIP_NATIVE=1)` : name, () => {
    beforeAll(async () => {
      nativeAddon();
      await tf.setBackend('cpu');
    });
    body();
  });
}

/** Random floats in [lo, hi) from a seeded generator. */
export function randomFloats(rng: Rng, count: number, lo = 0, hi = 1): Float32Array {
  return Float32Array.from({ length: count }, () => lo + (hi - lo) * rng.next());
}

export function randomLabels(rng: Rng, count: number, classes = 10): Uint8Array {
  return Uint8Array.from({ length: count }, () => rng.int(classes));
}

/** Makes weight initialisation reproducible: TF.js initialisers draw from Math.random. */
export function seededBuild<T>(seed: number, build: () => T): T {
  const original = Math.random;
  const rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    return build();
  } finally {
    Math.random = original;
  }
}

/** Two models of one architecture with the same weights (one trains natively, the other in TF.js). */
export function twin(build: () => tf.Sequential, seed: number): [tf.Sequential, tf.Sequential] {
  const a = seededBuild(seed, build);
  const b = seededBuild(seed, build);
  b.setWeights(a.getWeights());
  return [a, b];
}

/** Plain categorical cross-entropy, SGD: the options of tests that only look at forward and gradients. */
export const SGD_CATEGORICAL: Omit<TrainerOptions, 'batchSize'> = { optimizer: { kind: 'sgd' }, loss: { kind: 'categorical', labelSmoothing: 0 } };

export function compile(model: tf.Sequential, options: TrainerOptions): CompiledTrainer {
  const compiled = compileTrainer(model, options);
  if (!compiled.trainer) throw new Error(compiled.reason);
  return compiled.trainer;
}

/**
 * A 10-conv-bn-shaped model on a small image: conv (no bias) → BN(scale false) → relu, three times with strides
 * 1, 2, 2, then dense (no bias) → BN → relu → dropout → dense softmax; fewer filters than the codelab so the
 * TF.js cpu reference stays fast.
 */
export function smallConvBn(size = 12, dropout = 0.3): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [size * size], targetShape: [size, size, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 4, useBias: false, padding: 'same' }),
      batchNormalization({ center: true, scale: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ kernelSize: 6, filters: 6, useBias: false, padding: 'same', strides: 2 }),
      batchNormalization({ center: true, scale: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ kernelSize: 6, filters: 8, useBias: false, padding: 'same', strides: 2 }),
      batchNormalization({ center: true, scale: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 20, useBias: false }),
      batchNormalization({ center: true, scale: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dropout({ rate: dropout }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** The model's trainable TF.js variables, in model order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Keras's smoothed one-hot target: onehot · (1 - ls) + ls / classes. */
export function smoothedTargets(labels: Uint8Array, classes: number, labelSmoothing: number): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes), 1 - labelSmoothing), labelSmoothing / classes) as tf.Tensor2D);
}

/**
 * The TF.js training forward pass and loss as the native trainer runs them: layers applied with training true
 * (BN updates its moving statistics), each dropout layer using the native engine's mask for `seed` so both draw
 * the same, then tfjs-layers' categorical cross-entropy against the (smoothed) one-hot labels.
 */
export function referenceLoss(model: tf.Sequential, xs: Float32Array, labels: Uint8Array, seed: number, labelSmoothing = 0): tf.Scalar {
  const n = labels.length;
  let h: tf.Tensor = tf.tensor2d(xs, [n, xs.length / n]);
  model.layers.forEach((layer, index) => {
    if (layer.getClassName() === 'AveragePooling2D' && (layer.getConfig() as { padding: string }).padding === 'same') {
      h = averagePoolSame(h as tf.Tensor4D, layer.getConfig() as unknown as PoolConfig);
    } else if (layer.getClassName() === 'Dropout') {
      const rate = (layer.getConfig() as { rate: number }).rate;
      const mask = nativeAddon().dropoutMask(seed >>> 0, index, h.size, rate);
      h = tf.div(tf.mul(h, tf.tensor(mask, h.shape)), 1 - rate);
    } else {
      h = layer.apply(h, { training: true }) as tf.Tensor;
    }
  });
  const classes = h.shape[h.shape.length - 1] as number;
  return tf.mean(tf.metrics.categoricalCrossentropy(smoothedTargets(labels, classes, labelSmoothing), h)) as tf.Scalar;
}

interface PoolConfig {
  poolSize: [number, number];
  strides: [number, number];
}

/**
 * TF's average pooling with 'same' padding (the mean over the in-bounds pixels), written so that its TF.js
 * gradient is exact: sum pooling over the zero-padded input divided by the in-bounds count. TF.js's own AvgPoolGrad
 * divides every window by its full size, which is not the derivative of its forward pass where windows overhang.
 */
function averagePoolSame(x: tf.Tensor4D, { poolSize, strides }: PoolConfig): tf.Tensor {
  const [, height, width] = x.shape;
  const pads = [height, width].map((size, axis) => {
    const out = Math.ceil(size / strides[axis]);
    const total = Math.max(0, (out - 1) * strides[axis] + poolSize[axis] - size);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
  });
  const padding: [number, number][] = [[0, 0], pads[0], pads[1], [0, 0]];
  const windowMean = (t: tf.Tensor4D): tf.Tensor4D => tf.avgPool(tf.pad(t, padding), poolSize, strides, 'valid');
  return tf.div(windowMean(x), windowMean(tf.onesLike(x)));
}

/** One TF.js reference step: loss and gradients by variable name, then the optimizer's update. */
export function referenceStep(
  model: tf.Sequential,
  optimizer: tf.Optimizer,
  xs: Float32Array,
  labels: Uint8Array,
  seed: number,
  labelSmoothing = 0,
): { loss: number; grads: Map<string, Float32Array> } {
  let loss = 0;
  const grads = new Map<string, Float32Array>();
  tf.tidy(() => {
    const { value, grads: byName } = tf.variableGrads(() => referenceLoss(model, xs, labels, seed, labelSmoothing), trainableVariables(model));
    for (const [name, g] of Object.entries(byName)) grads.set(name, g.dataSync() as Float32Array);
    loss = value.dataSync()[0];
    // An array in model order, as model.fit passes them: the optimizer's slots are positional.
    optimizer.applyGradients(trainableVariables(model).map((v) => ({ name: v.name, tensor: byName[v.name] })));
  });
  return { loss, grads };
}

/** All weights of the model (trainable and BN moving statistics) by variable name. */
export function weightValues(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.name, w.read().dataSync().slice() as Float32Array]));
}

/** Fails naming the variable when the two models' weights differ beyond atol + rtol·|expected|. */
export function expectSameWeights(native: tf.LayersModel, reference: tf.LayersModel, atol: number, rtol: number): void {
  native.weights.forEach((w, i) => {
    try {
      expectAllClose(w.read().dataSync() as Float32Array, reference.weights[i].read().dataSync() as Float32Array, atol, rtol);
    } catch (err) {
      throw new Error(`${reference.weights[i].name}: ${(err as Error).message}`);
    }
  });
}
