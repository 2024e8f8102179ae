// What training hands a run's storage (a run folder on disk, or the browser's store): records, checkpoints, resume.
import type * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from '../engine/types.js';
import type { HistoryRecord, LoopState } from './schema.js';

/** A checkpoint: the model's weights, the optimizer's state and where the loop stands. */
export interface Checkpoint {
  /** Every weight of the model (trainable and not), in model.getWeights() order. */
  weights: tf.Tensor[];
  optimizer: OptimizerState;
  state: LoopState;
}

export interface RunSink {
  /**
   * False for a sink that stores no checkpoints (a run against the clock): training then spends no time on them, nor
   * on the weight records that follow each one. Default true.
   */
  readonly keepsCheckpoints?: boolean;
  /** Appends one history record. */
  append(record: HistoryRecord): Promise<void>;
  /** Stores a checkpoint (the newest few are kept). */
  saveCheckpoint(model: tf.LayersModel, optimizer: OptimizerState, state: LoopState): Promise<void>;
  /** The checkpoint a resumed run continues from, or null for a new run; the caller disposes its tensors. */
  resumeFrom(): Promise<Checkpoint | null>;
}

/** A sink that keeps the records in memory and checkpoints nothing (a run without storage). */
export class MemorySink implements RunSink {
  readonly records: HistoryRecord[] = [];

  async append(record: HistoryRecord): Promise<void> {
    this.records.push(record);
  }

  async saveCheckpoint(): Promise<void> {}

  async resumeFrom(): Promise<Checkpoint | null> {
    return null;
  }
}
