// What the training loop needs from an engine: one step, evaluation, weight sync and optimizer state.
import type { EvalResult, OptimizerState, StepResult } from '../engine/types.js';

export type { EvalResult, OptimizerState, StepResult };

export interface Trainer {
  /** Which engine runs the steps, for logs and metrics.json. */
  readonly engine: string;
  /** One training step on a batch (xs: size×784 scaled pixels, labels: size class ids). */
  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult;
  evaluate(xs: Float32Array, labels: Uint8Array, count: number): EvalResult;
  /** Makes the TF.js model hold the current weights (before saving or predicting with it). */
  syncToModel(): void;
  getOptimizerState(): OptimizerState | Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): void | Promise<void>;
  dispose(): void;
}
