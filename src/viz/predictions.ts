// Runs a model over many digits in batches (each inside tf.tidy) and keeps only probabilities and argmax on the host.
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS, type DigitSet } from '../data/types.js';

export interface Predictions {
  count: number;
  /** count × 10 softmax outputs. */
  probabilities: Float32Array;
  /** argmax per digit. */
  predicted: Uint8Array;
}

const DEFAULT_BATCH = 1000;

/** Runs `model` on digits [start, end) made by `batchOf`, reshaped to the model's input shape. */
async function predictBatches(
  model: tf.LayersModel,
  count: number,
  batchOf: (start: number, end: number) => Float32Array,
  batchSize: number,
): Promise<Predictions> {
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? 1);
  const probabilities = new Float32Array(count * NUM_CLASSES);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const output = tf.tidy(() => {
      const input = tf.tensor(batchOf(start, end), [end - start, ...inputShape]);
      return model.predict(input) as tf.Tensor;
    });
    // Sync point: one device-to-host read per batch of predictions.
    probabilities.set(await output.data(), start * NUM_CLASSES);
    output.dispose();
  }
  return { count, probabilities, predicted: argmaxRows(probabilities, count) };
}

export function argmaxRows(probabilities: Float32Array, count: number): Uint8Array {
  const predicted = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (probabilities[i * NUM_CLASSES + k] > probabilities[i * NUM_CLASSES + best]) best = k;
    predicted[i] = best;
  }
  return predicted;
}

/** Predictions for a set of IDX digits, scaled /256 as the codelab's dataset does. */
export function predictDigitSet(model: tf.LayersModel, set: DigitSet, batchSize = DEFAULT_BATCH): Promise<Predictions> {
  return predictBatches(
    model,
    set.count,
    (start, end) => Float32Array.from(set.images.subarray(start * PIXELS, end * PIXELS), (v) => v / 256),
    batchSize,
  );
}

/** Predictions for digits already scaled to model input (e.g. the font digits, /255). */
export function predictPixels(model: tf.LayersModel, pixels: Float32Array, count: number, batchSize = DEFAULT_BATCH): Promise<Predictions> {
  return predictBatches(model, count, (start, end) => pixels.subarray(start * PIXELS, end * PIXELS), batchSize);
}
