// Label-smoothed cross-entropy against a plain-loop transcription of Keras's, its gradient, and its use as a Layers loss.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelSmoothingCrossentropy, labelSmoothingOf } from '../../src/train/losses.js';
import { Rng } from '../../src/util/rng.js';
import { expectAllClose } from '../helpers/allclose.js';

const K = 10;

/** Keras: y·(1 - ls) + ls/K, predictions divided by their sum, clipped to [1e-7, 1 - 1e-7], -Σ t·log p per row. */
function referenceLoss(oneHot: Float32Array, probs: Float32Array, ls: number): number[] {
  const rows = oneHot.length / K;
  return Array.from({ length: rows }, (_, i) => {
    let sum = 0;
    for (let c = 0; c < K; c++) sum += probs[i * K + c];
    let loss = 0;
    for (let c = 0; c < K; c++) {
      const target = oneHot[i * K + c] * (1 - ls) + ls / K;
      const p = Math.min(Math.max(probs[i * K + c] / sum, 1e-7), 1 - 1e-7);
      loss -= target * Math.log(p);
    }
    return loss;
  });
}

/** Rows of softmax probabilities of random logits (some very peaked, to reach the clipping), and random labels. */
function randomRows(rows: number, seed: number): { oneHot: Float32Array; probs: Float32Array; logits: Float32Array } {
  const rng = new Rng(seed);
  const logits = Float32Array.from({ length: rows * K }, (_, j) => (rng.next() - 0.5) * (j < 3 * K ? 40 : 6));
  const probs = tf.tidy(() => tf.softmax(tf.tensor2d(logits, [rows, K])).dataSync() as Float32Array);
  const oneHot = new Float32Array(rows * K);
  for (let i = 0; i < rows; i++) oneHot[i * K + rng.int(K)] = 1;
  return { oneHot, probs, logits };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('labelSmoothingCrossentropy', () => {
  it('matches the plain-loop Keras reference per example, unnormalised and saturated rows included', () => {
    const { oneHot, probs } = randomRows(16, 1);
    probs.subarray(5 * K, 6 * K).forEach((_, c, row) => (row[c] *= 3)); // a row that does not sum to 1
    for (const ls of [0, 0.1, 0.25]) {
      const losses = tf.tidy(() => labelSmoothingCrossentropy(ls)(tf.tensor2d(oneHot, [16, K]), tf.tensor2d(probs, [16, K])).dataSync());
      expectAllClose(losses, referenceLoss(oneHot, probs, ls), 1e-5, 1e-5);
    }
  });

  it('with ls = 0 is exactly TF.js categoricalCrossentropy', () => {
    const { oneHot, probs } = randomRows(8, 2);
    const [ours, theirs] = tf.tidy(() => {
      const [y, p] = [tf.tensor2d(oneHot, [8, K]), tf.tensor2d(probs, [8, K])];
      return [labelSmoothingCrossentropy(0)(y, p).dataSync(), tf.metrics.categoricalCrossentropy(y, p).dataSync()];
    });
    expect(ours).toEqual(theirs);
  });

  it('has the gradient softmax(z) - smoothed target with respect to the logits', () => {
    const { oneHot, logits } = randomRows(6, 3);
    const ls = 0.1;
    const loss = labelSmoothingCrossentropy(ls);
    const gradient = tf.tidy(() => {
      const y = tf.tensor2d(oneHot.slice(3 * K), [3, K]);
      const z = tf.tensor2d(logits.slice(3 * K), [3, K]); // moderate rows: no clipping, so the gradient is exact
      return tf.grad((x: tf.Tensor) => loss(y, tf.softmax(x)).sum())(z).dataSync();
    });
    const probs = tf.tidy(() => tf.softmax(tf.tensor2d(logits.slice(3 * K), [3, K])).dataSync());
    const expected = Array.from(probs, (p, j) => p - (oneHot[3 * K + j] * (1 - ls) + ls / K));
    expectAllClose(gradient, expected, 1e-6, 1e-4);
  });

  it('is a Layers loss: compile accepts it, evaluate reports its batch mean, and a step lowers it', async () => {
    const rng = new Rng(4);
    const x = tf.tensor2d(Float32Array.from({ length: 32 * 20 }, () => rng.next()), [32, 20]);
    const labels = Int32Array.from({ length: 32 }, () => rng.int(K));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), K);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [20], units: K, activation: 'softmax', kernelInitializer: tf.initializers.randomUniform({ seed: 5 }) })],
    });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: labelSmoothingCrossentropy(0.1) });
    const reported = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    const probs = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const reference = referenceLoss(y.dataSync() as Float32Array, probs, 0.1);
    expect(reported).toBeCloseTo(reference.reduce((a, b) => a + b, 0) / reference.length, 5);
    const history = await model.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0 });
    const after = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    expect(history.history.loss[0]).toBeCloseTo(reported, 5);
    expect(after).toBeLessThan(reported);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('carries its smoothing for engines that compute the loss themselves', () => {
    const loss = labelSmoothingCrossentropy(0.1);
    expect(loss.labelSmoothing).toBe(0.1);
    expect(labelSmoothingOf(loss)).toBe(0.1);
    expect(labelSmoothingOf(labelSmoothingCrossentropy(0))).toBe(0);
    expect(labelSmoothingOf('categoricalCrossentropy')).toBeNull();
    expect(labelSmoothingOf(tf.metrics.categoricalCrossentropy)).toBeNull();
  });

  it('rejects a smoothing outside [0, 1)', () => {
    expect(() => labelSmoothingCrossentropy(1)).toThrow(/labelSmoothing must be a number in \[0, 1\); got 1/);
    expect(() => labelSmoothingCrossentropy(-0.1)).toThrow(/labelSmoothing/);
    expect(() => labelSmoothingCrossentropy(Number.NaN)).toThrow(/labelSmoothing/);
  });
});
