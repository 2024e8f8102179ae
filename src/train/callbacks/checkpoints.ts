// Checkpoints every N steps (the cloud trainer's save_checkpoints_steps), on top of the one at every epoch end.
import { badArgument } from '../../errors.js';
import type { Callback, FitContext } from './callback.js';

/**
 * A checkpoint every `everySteps` training steps, as the mlengine trainer's RunConfig(save_checkpoints_steps=200)
 * writes them. Every run already checkpoints at each epoch end and on Ctrl-C; `--resume` continues from the newest.
 */
export function checkpoints(options: { everySteps: number }): Callback {
  const { everySteps } = options;
  if (!Number.isInteger(everySteps) || everySteps < 1) throw badArgument('checkpoints everySteps', 'a positive integer', everySteps, 'e.g. lab.callbacks.checkpoints({ everySteps: 500 })');
  return {
    onBatchEnd(_batch: number, _logs, ctx: FitContext) {
      // Called after the step's global step was counted: a checkpoint lands after steps everySteps, 2·everySteps, …
      if (ctx.globalStep % everySteps === 0) ctx.requestCheckpoint();
    },
  };
}
