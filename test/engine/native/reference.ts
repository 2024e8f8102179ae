// Shared by the native-engine tests: whether the addon is built, tiny model builders and the TF.js cpu reference step.
import * as tf from '@tensorflow/tfjs';
import { loadAddon } from '../../../src/engine/native/addon.js';
import { batchNormalization } from '../../../src/models/layers/batch-norm.js';
import { Rng } from '../../../src/util/rng.js';

const loaded = loadAddon();
/** Why the native tests are skipped (null when the addon is built and loads). */
export const SKIP_REASON = 'addon' in loaded ? null : `native addon unavailable, tests skipped: ${loaded.reason}`;
export const addon = 'addon' in loaded ? loaded.addon : null;

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

/** The model's trainable TF.js variables, by name. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * The TF.js training forward pass as the native trainer runs it: layers applied with training true (BN updates
 * its moving statistics), each dropout layer using the native engine's mask for `seed` so both draw the same.
 */
export function referenceLoss(model: tf.Sequential, xs: Float32Array, labels: Uint8Array, seed: number, lossScale = 1): tf.Scalar {
  const n = labels.length;
  let h: tf.Tensor = tf.tensor2d(xs, [n, xs.length / n]);
  model.layers.forEach((layer, index) => {
    if (layer.getClassName() === 'Dropout') {
      const rate = (layer.getConfig() as { rate: number }).rate;
      const mask = addon!.dropoutMask(seed >>> 0, index, h.size, rate);
      h = tf.div(tf.mul(h, tf.tensor(mask, h.shape)), 1 - rate);
    } else {
      h = layer.apply(h, { training: true }) as tf.Tensor;
    }
  });
  const target = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
  return tf.mul(tf.mean(tf.metrics.categoricalCrossentropy(target, h)), lossScale) as tf.Scalar;
}

/** One TF.js reference step: loss and gradients by variable name, then the optimizer's update. */
export function referenceStep(
  model: tf.Sequential,
  optimizer: tf.Optimizer,
  xs: Float32Array,
  labels: Uint8Array,
  seed: number,
  lossScale = 1,
): { loss: number; grads: Map<string, Float32Array> } {
  let loss = 0;
  const grads = new Map<string, Float32Array>();
  tf.tidy(() => {
    const { value, grads: byName } = tf.variableGrads(() => referenceLoss(model, xs, labels, seed, lossScale), trainableVariables(model));
    for (const [name, g] of Object.entries(byName)) grads.set(name, g.dataSync() as Float32Array);
    loss = value.dataSync()[0];
    optimizer.applyGradients(byName);
  });
  return { loss, grads };
}

/** All weights of the model (trainable and BN moving statistics) by variable name. */
export function weightValues(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.name, w.read().dataSync().slice() as Float32Array]));
}
