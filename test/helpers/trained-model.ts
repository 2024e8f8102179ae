// Test fixture: a small dense MNIST model trained in-process on the real data for a few hundred steps.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadDataset } from '../../src/data/load.js';
import { PIXELS, type DigitSet } from '../../src/data/types.js';
import { saveModel } from '../../src/models/io.js';
import { installMathRandom, Rng } from '../../src/util/rng.js';

export { MNIST_DIR } from './paths.js';
import { MNIST_DIR } from './paths.js';

export interface Fixture {
  model: tf.LayersModel;
  /** The first test digits, as floats in [0,1] (count × 784), and their labels. */
  test: { images: Float32Array; labels: Uint8Array; count: number };
}

/** Pixels of a digit set scaled to [0,1] by /255, as the prediction inputs are. */
export function toFloats(set: DigitSet): Float32Array {
  return Float32Array.from(set.images, (v) => v / 255);
}

/**
 * Trains 784 → Dense(64, relu) → Dense(10, softmax) with Adam on 12,000 digits for 3 epochs of batch 128
 * (about 280 steps, seconds on the cpu backend; ~95% on the test digits), seeded, and saves it to `dir`.
 */
export async function trainFixtureModel(dir: string, testCount = 500): Promise<Fixture> {
  await tf.setBackend('wasm');
  const restore = installMathRandom(new Rng(7));
  try {
    const data = await loadDataset({ dir: MNIST_DIR, dataset: 'mnist', limit: 12_000, testLimit: testCount });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [PIXELS], units: 64, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const xs = tf.tensor2d(toFloats(data.train), [data.train.count, PIXELS]);
    const ys = tf.oneHot(tf.tensor1d(data.train.labels, 'int32'), 10);
    await model.fit(xs, ys, { epochs: 3, batchSize: 128, verbose: 0 });
    tf.dispose([xs, ys]);
    await saveModel(model, dir);
    return { model, test: { images: toFloats(data.test), labels: data.test.labels, count: data.test.count } };
  } finally {
    restore();
  }
}
