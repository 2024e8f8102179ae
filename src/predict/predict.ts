// Runs a Layers model on n×784 images in batches and returns the class and the 10 probabilities of each.
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS } from '../data/types.js';

export interface Predictions {
  classes: number[];
  probabilities: number[][];
}

/**
 * Predicts `count` images (count × 784 floats in [0,1]). The images are reshaped to the model's own input
 * shape ([784], [28,28] or [28,28,1]); the model's output is taken as softmax probabilities, as every
 * preset of the ladder ends in Dense(10, softmax). Each batch runs in tf.tidy, so no tensor outlives it.
 */
export function predictImages(model: tf.LayersModel, images: Float32Array, count: number, batchSize = 256): Predictions {
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const classes: number[] = [];
  const probabilities: number[][] = [];
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = images.subarray(start * PIXELS, (start + n) * PIXELS);
    // Sync point: the results leave the backend here, once per batch.
    const values = tf.tidy(() => {
      const input = tf.tensor(batch, [n, ...inputShape]);
      return (model.predict(input) as tf.Tensor).dataSync();
    });
    for (let i = 0; i < n; i++) {
      const row = Array.from(values.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
      probabilities.push(row);
      classes.push(row.indexOf(Math.max(...row)));
    }
  }
  return { classes, probabilities };
}
