// StopAtAccuracy: ends training at the first epoch end whose accuracy reaches a target (a speedrun's finish line).
import { badArgument } from '../../errors.js';
import type { Callback, EpochLogs, FitContext } from './callback.js';

export interface StopAtAccuracyOptions {
  /** Which accuracy to watch: the validation's (default; the codelab's 10k test digits) or the training batches'. */
  monitor?: 'val_accuracy' | 'accuracy';
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * The custom callback of many Keras tutorials ("stop when accuracy reaches 99%"): after the first epoch whose
 * `monitor` is at or above `target` (a fraction, e.g. 0.99), training ends.
 */
export function stopAtAccuracy(target: number, options: StopAtAccuracyOptions = {}): Callback {
  const { monitor = 'val_accuracy' } = options;
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) throw badArgument('stopAtAccuracy target', 'a fraction in (0, 1], e.g. 0.99', target);
  if (monitor !== 'val_accuracy' && monitor !== 'accuracy') throw badArgument('stopAtAccuracy monitor', "'val_accuracy' or 'accuracy'", monitor);
  return {
    onEpochEnd(epoch: number, logs: EpochLogs, ctx: FitContext) {
      if (!(logs[monitor] >= target)) return;
      ctx.stopTraining = true;
      ctx.out.write(`Epoch ${epoch + 1}: ${monitor} ${percent(logs[monitor])} reached the target ${percent(target)}: training stops\n`);
    },
  };
}
