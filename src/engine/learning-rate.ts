// Reads and sets a TF.js optimizer's learning rate: the one register a schedule writes and every engine's step reads.
import type * as tf from '@tensorflow/tfjs';

type WithRate = { learningRate?: unknown; setLearningRate?: (lr: number) => void };

/** The learning rate a TF.js optimizer holds (every tf.train optimizer keeps it in `learningRate`). */
export function learningRateOf(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as WithRate).learningRate;
  if (typeof lr !== 'number') throw new Error(`optimizer ${optimizer.getClassName()} has no numeric learningRate`);
  return lr;
}

/** Sets it; SGD and momentum cache -lr as a kept scalar and must rebuild it through setLearningRate. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const target = optimizer as unknown as WithRate;
  if (target.learningRate === lr) return;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(lr);
  else target.learningRate = lr;
}
