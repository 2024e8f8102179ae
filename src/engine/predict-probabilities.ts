// Runs a TF.js Layers model on n × 784 images in batches and reads back the class probabilities (the TF.js path).
import * as tf from '@tensorflow/tfjs';
import { PIXELS } from '../data/types.js';
import type { Predictor } from './types.js';

/**
 * Class probabilities of `count` images (count × 784 floats), as one flat count × classes array. The images are
 * reshaped to the model's own input shape ([784], [28,28] or [28,28,1]); the output is taken as softmax
 * probabilities. Each batch runs in tf.tidy.
 */
export function predictProbabilities(model: tf.LayersModel, images: Float32Array, count: number, batchSize = 256): Float32Array {
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const classes = (model.outputs[0].shape.at(-1) as number | null) ?? 10;
  const probabilities = new Float32Array(count * classes);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = images.subarray(start * PIXELS, (start + n) * PIXELS);
    // Sync point: the results leave the backend here, once per batch.
    const values = tf.tidy(() => (model.predict(tf.tensor(batch, [n, ...inputShape])) as tf.Tensor).dataSync());
    probabilities.set(values, start * classes);
  }
  return probabilities;
}

/** A predictor that runs `model` through TF.js on the active backend (every model, every backend). */
export function tfjsPredictor(model: tf.LayersModel, maxBatch = 256): Predictor {
  return {
    engine: `tfjs-${tf.getBackend()}`,
    probabilities: (images, count) => predictProbabilities(model, images, count, maxBatch),
    dispose: () => undefined,
  };
}
