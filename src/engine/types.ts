// What the engine offers the training loop and prediction: one training step, evaluation, weight sync, optimizer state.

export interface StepResult {
  loss: number;
  accuracy: number;
}

export interface EvalResult extends StepResult {
  /** count × classes class probabilities. */
  probabilities: Float32Array;
}

/** An optimizer's state: its step count and its slots, named as TF.js names them (`<variable>/m`, …). */
export interface OptimizerState {
  step: number;
  slots: { name: string; shape: number[]; data: Float32Array }[];
}

/** The code that trains one model: the native compiled step, or TF.js on its active backend. */
export interface Trainer {
  /** Which code runs the steps, for logs and metrics.json: "native-compiled" or "tfjs-<backend>". */
  readonly engine: string;
  /** One training step on a batch (xs: size × input features, labels: size class ids). */
  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult | Promise<StepResult>;
  /** Loss, accuracy and probabilities of the first `count` samples, in inference mode. */
  evaluate(xs: Float32Array, labels: Uint8Array, count: number): EvalResult;
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
