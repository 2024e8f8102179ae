// Runs a TF.js Layers model on n × 784 images in batches and reads back the class probabilities (the TF.js path).
import * as tf from '@tensorflow/tfjs';
import { PIXELS } from '../data/types.js';
import type { Predictor } from './types.js';

/** The model's output for images [start, start + n) as a tensor: the caller reads it and disposes it. */
type Chunk = (start: number, n: number) => tf.Tensor;

/** How `model` takes `images`: its class count, and each chunk's output (images reshaped to its input shape). */
function chunking(model: tf.LayersModel, images: Float32Array): { classes: number; chunk: Chunk } {
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const classes = (model.outputs[0].shape.at(-1) as number | null) ?? 10;
  const chunk: Chunk = (start, n) => tf.tidy(() => model.predict(tf.tensor(images.subarray(start * PIXELS, (start + n) * PIXELS), [n, ...inputShape])) as tf.Tensor);
  return { classes, chunk };
}

/**
 * Class probabilities of `count` images (count × 784 floats), as one flat count × classes array. The images are
 * reshaped to the model's own input shape ([784], [28,28] or [28,28,1]); the output is taken as softmax
 * probabilities. Each batch runs in tf.tidy.
 */
export function predictProbabilities(model: tf.LayersModel, images: Float32Array, count: number, batchSize = 256): Float32Array {
  const { classes, chunk } = chunking(model, images);
  const probabilities = new Float32Array(count * classes);
  for (let start = 0; start < count; start += batchSize) {
    const output = chunk(start, Math.min(batchSize, count - start));
    // Sync point: the results leave the backend here, once per batch.
    probabilities.set(output.dataSync(), start * classes);
    output.dispose();
  }
  return probabilities;
}

/**
 * predictProbabilities read back asynchronously, as every backend can: WebGPU cannot read synchronously in a
 * worker (Chromium's software adapter gives zeros and then loses the device).
 */
export async function readProbabilities(model: tf.LayersModel, images: Float32Array, count: number, batchSize = 256): Promise<Float32Array> {
  const { classes, chunk } = chunking(model, images);
  const probabilities = new Float32Array(count * classes);
  for (let start = 0; start < count; start += batchSize) {
    const output = chunk(start, Math.min(batchSize, count - start));
    probabilities.set(await output.data(), start * classes);
    output.dispose();
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
