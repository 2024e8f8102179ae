// EarlyStopping: ends training when a monitored quantity has stopped improving for `patience` epochs.
import { badArgument } from '../../errors.js';
import type { Callback, EpochLogs, FitContext } from './callback.js';

/** Keras's EarlyStopping arguments: what to watch, how much counts as better and how long to wait for it. */
export interface EarlyStoppingOptions {
  /** What to watch (Keras's default: val_loss). */
  monitor?: keyof EpochLogs;
  /** The smallest change that counts as an improvement. */
  minDelta?: number;
  /** Epochs without improvement before training stops. */
  patience?: number;
  /** Whether lower or higher is better; 'auto' picks max for accuracies and min otherwise. */
  mode?: 'min' | 'max' | 'auto';
}

/** Keras's EarlyStopping (without restore_best_weights): stops after `patience` epochs without improvement. */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  const { monitor = 'val_loss', minDelta = 0, patience = 0, mode = 'auto' } = options;
  if (!Number.isInteger(patience) || patience < 0) throw badArgument('earlyStopping patience', 'an integer ≥ 0', patience, 'e.g. lab.callbacks.earlyStopping({ patience: 2 })');
  const sign = (mode === 'auto' ? (monitor.includes('accuracy') ? 'max' : 'min') : mode) === 'max' ? 1 : -1;
  let best = -Infinity;
  let wait = 0;
  return {
    onEpochEnd(epoch: number, logs: EpochLogs, ctx: FitContext) {
      const value = sign * logs[monitor];
      if (value - Math.abs(minDelta) > best) {
        best = value;
        wait = 0;
        return;
      }
      wait++;
      if (wait > patience) {
        ctx.stopTraining = true;
        ctx.out.write(`Epoch ${epoch + 1}: early stopping (${monitor} has not improved for ${wait} epochs)\n`);
      }
    },
  };
}
