// Runs a Layers model on n×784 images in batches: the one place the project turns pixels into probabilities.
import type * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../data/types.js';
import { predictProbabilities } from '../engine/predict-probabilities.js';

export { predictProbabilities };

export interface Predictions {
  classes: number[];
  probabilities: number[][];
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
