// Learning-rate schedules as pure functions of (epoch, global step), the per-epoch table and the plotted plan.
import type { Point } from '../run/schema.js';

/**
 * Learning rate as a pure function of the 0-based epoch (Keras LearningRateScheduler semantics) and the 0-based
 * global step (the mlengine trainer decays per step).
 */
export type LrSchedule = (epoch: number, globalStep: number) => number;

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

/**
 * The plotted plan: plot_learning_rate evaluates the schedule at x = 0…epochs (epochs + 1 points, drawn as a
 * post-step). A schedule that also moves within an epoch (mlengine's per-step decay) is sampled 20 times per
 * epoch so its curve shows.
 */
export function lrSeries(schedule: LrSchedule, epochs: number, stepsPerEpoch: number): Point[] {
  const perStep = stepsPerEpoch > 1 && schedule(0, 0) !== schedule(0, stepsPerEpoch - 1);
  const samplesPerEpoch = perStep ? 20 : 1;
  const points: Point[] = [];
  for (let i = 0; i <= epochs * samplesPerEpoch; i++) {
    const x = i / samplesPerEpoch;
    const epoch = Math.min(Math.floor(x), epochs);
    points.push({ x, y: schedule(epoch, Math.round(x * stepsPerEpoch)) });
  }
  return points;
}
