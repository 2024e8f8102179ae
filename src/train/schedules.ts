// Learning-rate schedules of the codelab as pure functions, plus the per-epoch table the LR plot and the log print.
import type { LrSchedule } from '../models/preset.js';

/** Keras LearningRateScheduler style: lr0 * base^epoch, epochs counted from 0 (keras_03..05: 0.01 * 0.6^epoch). */
export function exponentialEpochDecay(lr0: number, base: number): LrSchedule {
  return (epoch) => lr0 * base ** epoch;
}

/**
 * The mlengine trainer's per-step decay: lr1 + lr0 * e^(-step / lr2), continuous (not staircase), as
 * `lr1 + tf.train.exponential_decay(lr0, global_step, lr2, 1/e)` in task.py.
 */
export function stepExpDecay(lr0: number, lr1: number, lr2: number): LrSchedule {
  return (_epoch, globalStep) => lr1 + lr0 * Math.exp(-globalStep / lr2);
}

export interface ScheduleRow {
  epoch: number;
  lr: number;
}

/**
 * The rate at the start of each epoch 0..epochs-1 (global step = epoch * stepsPerEpoch), as
 * LearningRateScheduler(verbose=True) announces it and plot_learning_rate draws it.
 */
export function scheduleTable(schedule: LrSchedule, epochs: number, stepsPerEpoch = 0): ScheduleRow[] {
  return Array.from({ length: epochs }, (_, epoch) => ({ epoch, lr: schedule(epoch, epoch * stepsPerEpoch) }));
}
