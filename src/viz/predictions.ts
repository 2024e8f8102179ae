// The predictions the pictures need: probabilities and argmax for a digit set or for ready-scaled pixels.
import type * as tf from '@tensorflow/tfjs';
import { scalePixels } from '../data/scale.js';
import { PIXELS, type DigitSet } from '../data/types.js';
import { argmaxRows } from '../predict/predict.js';
import { choosePredictor } from '../engine/front-door.js';

export { argmaxRows };

export interface Predictions {
  count: number;
  /** count × 10 softmax outputs. */
  probabilities: Float32Array;
  /** argmax per digit. */
  predicted: Uint8Array;
}

const DEFAULT_BATCH = 1000;

/** Predictions for digits already scaled to model input (e.g. the font digits, /255), on the fastest engine here. */
export async function predictPixels(model: tf.LayersModel, pixels: Float32Array, count: number, batchSize = DEFAULT_BATCH): Promise<Predictions> {
  const predictor = await choosePredictor(model, batchSize);
  try {
    const probabilities = predictor.probabilities(pixels, count);
    return { count, probabilities, predicted: argmaxRows(probabilities, count) };
  } finally {
    predictor.dispose();
  }
}

/** Predictions for a set of IDX digits, scaled /256 as the codelab's dataset does. */
export function predictDigitSet(model: tf.LayersModel, set: DigitSet, batchSize = DEFAULT_BATCH): Promise<Predictions> {
  const pixels = scalePixels(set.images.subarray(0, set.count * PIXELS));
  return predictPixels(model, pixels, set.count, batchSize);
}
