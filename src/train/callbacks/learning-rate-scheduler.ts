// LearningRateScheduler: sets the optimizer's rate from a schedule at each epoch (or each step) and announces it.
import { formatLr } from '../progress.js';
import type { LrSchedule } from '../schedules.js';
import type { Callback, FitContext } from './callback.js';

/** Keras's LearningRateScheduler arguments besides the schedule. */
export interface LearningRateSchedulerOptions {
  /** Announce each epoch's rate, as Keras's verbose=True does ("Epoch 1: LearningRateScheduler setting …"). */
  verbose?: boolean;
  /** Apply the schedule before every step (a per-step decay such as mlengine's), not only at epoch starts. */
  perStep?: boolean;
}

/**
 * Keras's LearningRateScheduler: before each epoch the optimizer's learning rate becomes `schedule(epoch)` (0-based
 * epochs). With `perStep`, also before each step, as `schedule(epoch, globalStep)`.
 */
export function learningRateScheduler(schedule: LrSchedule, options: LearningRateSchedulerOptions = {}): Callback {
  const { verbose = false, perStep = false } = options;
  let epoch = 0;
  return {
    schedule,
    onEpochBegin(e: number, ctx: FitContext) {
      epoch = e;
      ctx.learningRate = schedule(e, e * ctx.stepsPerEpoch);
      if (verbose && !ctx.resumedMidEpoch) ctx.out.write(`\nEpoch ${e + 1}: LearningRateScheduler setting learning rate to ${formatLr(ctx.learningRate)}.\n`);
    },
    ...(perStep
      ? {
          onBatchBegin(_batch: number, globalStep: number, ctx: FitContext) {
            ctx.learningRate = schedule(epoch, globalStep);
          },
        }
      : {}),
  };
}
