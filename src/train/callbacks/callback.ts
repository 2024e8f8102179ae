// What a fit callback is (Keras's Callback): hooks at the start and end of training, each epoch and each batch.
import type * as tf from '@tensorflow/tfjs';
import type { DigitSet } from '../../data/types.js';
import type { TextOut } from '../../util/text-out.js';
import type { LrSchedule } from '../schedules.js';

/** Training-batch logs: the running means of the epoch so far, as Keras's progress bar shows them. */
export interface BatchLogs {
  loss: number;
  accuracy: number;
  lr: number;
}

/** Epoch logs, Keras's names: val_* are on the validation data (the 10k test set in the codelab). */
export interface EpochLogs extends BatchLogs {
  val_loss: number;
  val_accuracy: number;
}

/** What a callback sees of the fit it belongs to. */
export interface FitContext {
  readonly model: tf.LayersModel;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** The run continues from a checkpoint: the current epoch began before this session. */
  readonly resumedMidEpoch: boolean;
  /** Where callbacks print (the same stream as the progress bar). */
  readonly out: TextOut;
  /** The learning rate the next step uses (the optimizer's); setting it changes the optimizer's. */
  learningRate: number;
  /** Training steps done so far, across epochs. */
  readonly globalStep: number;
  /** Set to end training after the current epoch (EarlyStopping). */
  stopTraining: boolean;
  /** The last validation: the digits and the model's probabilities for them (count × classes). */
  readonly lastValidation: { set: DigitSet; probabilities: Float32Array } | null;
  /** Asks for a checkpoint after the current step (written before the next one). */
  requestCheckpoint(): void;
}

/** A fit callback, Keras's hooks: called at the start and end of training, of each epoch and of each batch. */
export interface Callback {
  /** A learning-rate schedule this callback applies, for the plan and the learning-rate plot. */
  readonly schedule?: LrSchedule;
  /** PlotTraining's zoom and sample rate, for the curves. */
  readonly zoom?: number;
  readonly sampleRate?: number;
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onBatchBegin?(batch: number, globalStep: number, ctx: FitContext): void;
  onBatchEnd?(batch: number, logs: BatchLogs, ctx: FitContext): void;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
}
