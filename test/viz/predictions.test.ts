// Batched predictions equal one plain model.predict over the whole set (cpu backend), and leak no tensors.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PIXELS, type DigitSet } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';
import { predictDigitSet, predictPixels } from '../../src/viz/predictions.js';

describe('predictions', () => {
  const rng = new Rng(11);
  const count = 250;
  const set: DigitSet = {
    images: Uint8Array.from({ length: count * PIXELS }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
  };

  async function oracle(model: tf.LayersModel, pixels: Float32Array, shape: number[]) {
    const x = tf.tensor(pixels, [count, ...shape]);
    const y = model.predict(x) as tf.Tensor;
    const probs = await y.data();
    tf.dispose([x, y]);
    return probs;
  }

  it('matches model.predict on the whole set for flat and image-shaped inputs, batch not dividing the count', async () => {
    await tf.setBackend('cpu');
    const flat = tf.sequential({ layers: [tf.layers.dense({ inputShape: [PIXELS], units: 10, activation: 'softmax' })] });
    const conv = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3, strides: 2, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    const scaled = Float32Array.from(set.images, (v) => v / 256);
    for (const [model, shape] of [
      [flat, [PIXELS]],
      [conv, [28, 28, 1]],
    ] as const) {
      const before = tf.memory().numTensors;
      const got = await predictDigitSet(model, set, 64);
      expect(tf.memory().numTensors).toBe(before);
      const want = await oracle(model, scaled, [...shape]);
      got.probabilities.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
      for (let i = 0; i < count; i++) {
        const row = Array.from(want.subarray(i * 10, i * 10 + 10));
        expect(got.predicted[i]).toBe(row.indexOf(Math.max(...row)));
      }
      const direct = await predictPixels(model, scaled, count, 1000);
      expect(Array.from(direct.predicted)).toEqual(Array.from(got.predicted));
      model.dispose();
    }
  });
});
