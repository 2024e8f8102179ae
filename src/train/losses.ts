// Categorical cross-entropy with label smoothing as Keras computes it: a TF.js Layers loss the native engine can recognise.
import * as tf from '@tensorflow/tfjs';
import { badArgument } from '../errors.js';

/** A TF.js Layers loss (per-example losses of one-hot targets and predicted probabilities) that carries its smoothing. */
export type LabelSmoothedLoss = ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) & {
  /** The label smoothing factor, for engines that compute the loss themselves (the native compiled step). */
  readonly labelSmoothing: number;
};

/**
 * Keras's `CategoricalCrossentropy(label_smoothing=ls)` on probabilities: targets become `y * (1 - ls) + ls / K`
 * (K classes, the last axis), predictions are scaled to sum to 1 and clipped to [1e-7, 1 - 1e-7], and the loss of
 * each example is `-sum(target * log(p))`. Pass it to `model.compile({ loss })`; fit averages it over the batch.
 * With ls = 0 it is exactly TF.js's `categoricalCrossentropy`.
 */
export function labelSmoothingCrossentropy(labelSmoothing: number): LabelSmoothedLoss {
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw badArgument('labelSmoothing', 'a number in [0, 1)', labelSmoothing, 'Keras recipes use 0.1');
  }
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const classes = yTrue.shape[yTrue.rank - 1] ?? 1;
      const smoothed = tf.cast(yTrue, 'float32').mul(1 - labelSmoothing).add(labelSmoothing / classes);
      return tf.metrics.categoricalCrossentropy(smoothed, yPred);
    });
  return Object.defineProperty(loss, 'labelSmoothing', { value: labelSmoothing, enumerable: true }) as LabelSmoothedLoss;
}

/** The label smoothing of a loss made by labelSmoothingCrossentropy, or null for any other loss. */
export function labelSmoothingOf(loss: unknown): number | null {
  if (typeof loss !== 'function') return null;
  const value: unknown = (loss as Partial<LabelSmoothedLoss>).labelSmoothing;
  return typeof value === 'number' ? value : null;
}
