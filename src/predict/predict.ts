// Runs a Layers model on n×784 images in batches: the one place the project turns pixels into probabilities.
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS } from '../data/types.js';

export interface Predictions {
  classes: number[];
  probabilities: number[][];
}

/**
 * Class probabilities of `count` images (count × 784 floats), as one flat count × 10 array. The images are
 * reshaped to the model's own input shape ([784], [28,28] or [28,28,1]); the output is taken as softmax
 * probabilities, as every preset of the ladder ends in Dense(10, softmax). Each batch runs in tf.tidy.
 */
export function predictProbabilities(model: tf.LayersModel, images: Float32Array, count: number, batchSize = 256): Float32Array {
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const probabilities = new Float32Array(count * NUM_CLASSES);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = images.subarray(start * PIXELS, (start + n) * PIXELS);
    // Sync point: the results leave the backend here, once per batch.
    const values = tf.tidy(() => (model.predict(tf.tensor(batch, [n, ...inputShape])) as tf.Tensor).dataSync());
    probabilities.set(values, start * NUM_CLASSES);
  }
  return probabilities;
}

/** The most probable class of each row of a flat count × 10 probability array. */
export function argmaxRows(probabilities: Float32Array, count: number): Uint8Array {
  const predicted = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (probabilities[i * NUM_CLASSES + k] > probabilities[i * NUM_CLASSES + best]) best = k;
    predicted[i] = best;
  }
  return predicted;
}

/** Classes and per-instance probability lists (the prediction API's answer) from flat count × 10 probabilities. */
export function toPredictions(flat: Float32Array, count: number): Predictions {
  const probabilities = Array.from({ length: count }, (_, i) => Array.from(flat.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES)));
  return { classes: Array.from(argmaxRows(flat, count)), probabilities };
}

/** Classes and probability lists of `count` images through TF.js (the oracle the faster predictor is checked against). */
export function predictImages(model: tf.LayersModel, images: Float32Array, count: number, batchSize = 256): Predictions {
  return toPredictions(predictProbabilities(model, images, count, batchSize), count);
}
