// Checkpoints every N steps (the cloud trainer's save_checkpoints_steps), on top of the one at every epoch end.
import type { Callback, FitContext } from './callback.js';

/**
 * A checkpoint every `everySteps` training steps, as the mlengine trainer's RunConfig(save_checkpoints_steps=200)
 * writes them. Every run already checkpoints at each epoch end and on Ctrl-C; `--resume` continues from the newest.
 */
export function checkpoints(options: { everySteps: number }): Callback {
  const { everySteps } = options;
  if (!Number.isInteger(everySteps) || everySteps < 1) throw new RangeError(`checkpoints everySteps must be a positive integer; got ${everySteps}`);
  return {
    onBatchEnd(_batch: number, _logs, ctx: FitContext) {
      // Called after the step's global step was counted: a checkpoint lands after steps everySteps, 2·everySteps, …
      if (ctx.globalStep % everySteps === 0) ctx.requestCheckpoint();
    },
  };
}
