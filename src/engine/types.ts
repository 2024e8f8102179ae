// The engine's own types: what a compiled trainer and predictor take and give (steps, evaluations, optimizer
// state in TF.js's slot naming, optimizer and loss specs), and the Trainer and Predictor the training library uses.
import type * as tf from '@tensorflow/tfjs';

/** The mean loss and the accuracy of one batch or evaluation. */
export interface StepResult {
  loss: number;
  accuracy: number;
}

export interface EvalResult extends StepResult {
  /** count × classes class probabilities. */
  probabilities: Float32Array;
}

export interface OptimizerSlot {
  /** TF.js's slot name, `<variable name>/<slot>`: `/m`, `/v` (Adam), `/momentum` (momentum, RMSprop), `/rms`,
   * `/mg` (RMSprop). */
  name: string;
  shape: number[];
  data: Float32Array;
}

/** An optimizer's state, interchangeable with TF.js's optimizer.getWeights() / setWeights(). */
export interface OptimizerState {
  /** Updates taken (TF.js's `iter`, Adam's t). */
  step: number;
  /** In TF.js's getWeights() order: each slot kind in turn, over the trainable variables in model order. */
  slots: OptimizerSlot[];
}

/**
 * A TF.js optimizer's hyperparameters as the native engine runs them (the learning rate comes with each step).
 * Read one from a TF.js optimizer with optimizerSpecOf().
 */
export type NativeOptimizerSpec =
  | { kind: 'sgd' }
  /** tf.train.momentum(lr, momentum, useNesterov). */
  | { kind: 'momentum'; momentum: number; nesterov: boolean }
  /** tf.train.adam(lr, beta1, beta2, epsilon). */
  | { kind: 'adam'; beta1: number; beta2: number; epsilon: number }
  /** tf.train.rmsprop(lr, decay, momentum, epsilon, centered). */
  | { kind: 'rmsprop'; decay: number; momentum: number; epsilon: number; centered: boolean };

/**
 * Cross-entropy against class-id labels: 'categorical' (one-hot targets, optionally smoothed as Keras does:
 * y·(1 - labelSmoothing) + labelSmoothing / classes) or 'sparse' (labelSmoothing must be 0).
 */
export interface LossSpec {
  kind: 'categorical' | 'sparse';
  labelSmoothing: number;
}

export interface TrainerOptions {
  optimizer: NativeOptimizerSpec;
  loss: LossSpec;
  /** The largest batch a step takes (smaller ones are fine). */
  batchSize: number;
  /** OpenMP threads for the native engine (process-wide); default: the cores. */
  threads?: number;
}

export interface CompiledTrainer {
  /** One training step (forward, backward, update); xs is count × inputs floats, labels count class ids. */
  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult;
  /** Inference (moving BN statistics, no dropout) on the first `count` samples, in batchSize chunks. */
  evaluate(xs: Float32Array, labels: Uint8Array, count: number): EvalResult;
  /** Native weights and BN moving statistics → the TF.js model's variables. */
  pushWeightsToModel(): void;
  /** The TF.js model's variables → native weights and BN moving statistics. */
  pullWeightsFromModel(): void;
  getOptimizerState(): OptimizerState;
  /** Restores a state from getOptimizerState() or from a TF.js optimizer of the same kind (slots matched by name). */
  setOptimizerState(state: OptimizerState): void;
  /** The last step's gradients (before the update) by TF.js variable name, for checks and debugging. */
  lastGradients(): Map<string, Float32Array>;
  dispose(): void;
}

export interface PredictorOptions {
  /** The largest chunk run at once (longer inputs are split). */
  maxBatch: number;
  threads?: number;
}

export interface CompiledPredictor {
  /** count × classes probabilities of count × inputs floats, with the weights the model had when compiled. */
  probabilities(images: Float32Array, count: number): Float32Array;
  dispose(): void;
}

/** The code that trains one model: the native compiled step, or TF.js on its active backend (the loop's contract). */
export interface Trainer {
  /** Which code runs the steps, for logs and metrics.json: "native-compiled" or "tfjs-<backend>". */
  readonly engine: string;
  /** One training step on a batch (xs: size × input features, labels: size class ids). */
  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult | Promise<StepResult>;
  /** Loss, accuracy and probabilities of the first `count` samples, in inference mode. */
  evaluate(xs: Float32Array, labels: Uint8Array, count: number): EvalResult | Promise<EvalResult>;
  /** Makes the TF.js model hold the current weights (before saving or predicting with it). */
  syncToModel(): void;
  getOptimizerState(): OptimizerState | Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): void | Promise<void>;
  dispose(): void;
}

/** A model's probabilities function, compiled natively or through TF.js. */
export interface Predictor {
  /** "native-compiled" or "tfjs-<backend>". */
  readonly engine: string;
  /** count × 10 class probabilities of count images (count × 784 floats in [0, 1]). */
  probabilities(images: Float32Array, count: number): Float32Array;
  dispose(): void;
}

/** How the labels reach the loss: one-hot rows (categorical losses) or class ids (sparse ones). */
export type LabelFormat = 'one-hot' | 'sparse';

/** What training asks of the engine: the compiled optimizer and loss, and the batch size the steps use. */
export interface TrainingSpec {
  optimizer: tf.Optimizer;
  /** Null when the loss is one the native engine does not compute (TF.js trains it). */
  loss: LossSpec | null;
  /** The loss's own description, for the note when it keeps the model off the fast path. */
  lossName: string;
  labels: LabelFormat;
  batchSize: number;
  /** Native engine threads; default: the engine's own choice. */
  threads?: number;
}

export interface TrainerChoice {
  trainer: Trainer;
  /** One line for the user when the fast path was possible in principle but this model is not on it. */
  note?: string;
}
