// predictImages: batched, reshaped to the model's input, equal to one direct model.predict, no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { predictImages } from '../../src/predict/predict.js';
import { installMathRandom, Rng } from '../../src/util/rng.js';

function randomImages(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(count * PIXELS).map(() => rng.next());
}

function denseModel(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [PIXELS], units: 10, activation: 'softmax' })] });
}

function convModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

describe('predictImages', () => {
  let restoreRandom: () => void;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    restoreRandom = installMathRandom(new Rng(11));
  });
  afterAll(() => restoreRandom());

  for (const [name, build] of [['dense [784] input', denseModel], ['conv [28,28,1] input', convModel]] as const) {
    it(`matches one direct predict call in batches of 3 (${name})`, () => {
      const model = build();
      const images = randomImages(7, 5);
      const expected = tf.tidy(() => {
        const input = tf.tensor(images, [7, ...(model.inputs[0].shape.slice(1) as number[])]);
        return (model.predict(input) as tf.Tensor).arraySync() as number[][];
      });
      const before = tf.memory().numTensors;
      const { classes, probabilities } = predictImages(model, images, 7, 3);
      expect(tf.memory().numTensors).toBe(before);
      expect(probabilities.length).toBe(7);
      probabilities.forEach((row, i) => {
        row.forEach((p, k) => expect(p).toBeCloseTo(expected[i][k], 6));
        expect(classes[i]).toBe(expected[i].indexOf(Math.max(...expected[i])));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      });
      model.dispose();
    });
  }
});
