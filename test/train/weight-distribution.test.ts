// The weight bands' numbers: equal-population bucket boundaries against a plain reference, and which variables count.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketBoundaries, weightsRecord } from '../../src/train/weight-distribution.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bucketBoundaries', () => {
  it('splits shuffled values into 7 buckets of equal population, min to max', () => {
    const rng = new Rng(3);
    const values = Float32Array.from({ length: 71 }, (_, i) => i);
    for (let i = values.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
    expect(bucketBoundaries(values)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(values[0]).not.toBe(0); // the input is left as it was (still shuffled)
  });

  it('handles one value, and no values', () => {
    expect(bucketBoundaries(Float32Array.of(0.5))).toEqual(Array(8).fill(0.5));
    expect(bucketBoundaries(new Float32Array(0))).toEqual([]);
  });
});

describe('weightsRecord', () => {
  it('counts kernels as weights, biases and batch-norm offsets as biases, and nothing else', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 3, name: 'd' }),
        tf.layers.batchNormalization({ name: 'bn' }),
        tf.layers.dense({ units: 1, useBias: false, name: 'out' }),
      ],
    });
    const byName = new Map<string, number[]>([
      ['d/kernel', [-3, -2, -1, 1, 2, 3]],
      ['d/bias', [0.1, 0.2, 0.3]],
      ['bn/gamma', [100, 100, 100]],
      ['bn/beta', [-0.5, 0.5, 0]],
      ['bn/moving_mean', [-100, -100, -100]],
      ['bn/moving_variance', [50, 50, 50]],
      ['out/kernel', [7, 8, 9]],
    ]);
    model.setWeights(model.weights.map((w) => tf.tensor(byName.get(w.originalName) as number[], w.shape as number[])));
    const before = tf.memory().numTensors;
    const record = await weightsRecord(model, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(record.type).toBe('weights');
    expect(record.epoch).toBe(4);
    expect(record.weights).toEqual(bucketBoundaries(Float32Array.of(-3, -2, -1, 1, 2, 3, 7, 8, 9)));
    expect(record.biases).toEqual(bucketBoundaries(Float32Array.of(0.1, 0.2, 0.3, -0.5, 0.5, 0)));
    model.dispose();
  });
});
