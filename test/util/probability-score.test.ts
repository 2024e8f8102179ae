// scoreProbabilities against TF.js's own Keras metrics (categorical cross-entropy and accuracy) on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreProbabilities } from '../../src/util/probability-score.js';
import { Rng } from '../../src/util/rng.js';

const CLASSES = 10;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Softmax rows of seeded random logits, one row forced to give its label probability 0 (the clipping case). */
function randomCase(count: number): { probabilities: Float32Array; labels: Uint8Array } {
  const rng = new Rng(11);
  const logits = Array.from({ length: count * CLASSES }, () => rng.next() * 6 - 3);
  const probabilities = tf.tidy(() => tf.softmax(tf.tensor2d(logits, [count, CLASSES])).dataSync() as Float32Array);
  const labels = Uint8Array.from({ length: count }, () => Math.floor(rng.next() * CLASSES));
  probabilities.fill(0, 0, CLASSES);
  probabilities[(labels[0] + 1) % CLASSES] = 1;
  return { probabilities, labels };
}

describe('scoreProbabilities', () => {
  it('matches tf.metrics categoricalCrossentropy and categoricalAccuracy', () => {
    const count = 64;
    const { probabilities, labels } = randomCase(count);
    const expected = tf.tidy(() => {
      const predicted = tf.tensor2d(probabilities, [count, CLASSES]);
      const truth = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
      return {
        loss: tf.metrics.categoricalCrossentropy(truth, predicted).mean().dataSync()[0],
        accuracy: tf.metrics.categoricalAccuracy(truth, predicted).mean().dataSync()[0],
      };
    });
    const score = scoreProbabilities(probabilities, labels, count, CLASSES);
    expect(score.loss).toBeCloseTo(expected.loss, 4);
    expect(score.accuracy).toBeCloseTo(expected.accuracy, 6);
    expect(score.accuracy).toBeGreaterThan(0); // a case with right and wrong rows
    expect(score.accuracy).toBeLessThan(1);
  });

  it('scores only the first count rows', () => {
    const probabilities = Float32Array.from([0.9, 0.1, 0.2, 0.8, 1, 0]);
    expect(scoreProbabilities(probabilities, Uint8Array.from([0, 0, 1]), 2, 2)).toEqual({
      loss: -(Math.log(Math.fround(0.9)) + Math.log(Math.fround(0.2))) / 2,
      accuracy: 0.5,
    });
  });
});
