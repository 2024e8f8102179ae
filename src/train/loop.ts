// The training loop: steps, batch samples, validation at each epoch end, checkpoints, callbacks, Ctrl-C.
import type * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/pipeline.js';
import type { DigitSet } from '../data/types.js';
import type { Trainer } from '../engine/types.js';
import type { BatchRecord, EpochRecord, LoopState } from '../run/schema.js';
import type { RunSink } from '../run/sink.js';
import type { Rng } from '../util/rng.js';
import { yieldToEventLoop } from '../util/yield.js';
import type { Callback, EpochLogs, FitContext } from './callbacks/callback.js';
import type { Progress } from './progress.js';
import { weightsRecord } from './weight-distribution.js';

/** Epochs and steps as fit planned them. */
export interface EpochPlan {
  epochs: number;
  stepsPerEpoch: number;
  /** Steps in all: epochs × stepsPerEpoch, or fewer with a step budget (the last epoch is then cut short). */
  totalSteps: number;
}

/** The training batches as the loop sees them. */
export interface BatchSource {
  next(): Batch;
  getState(): unknown;
}

export interface LoopInputs {
  plan: EpochPlan;
  model: tf.LayersModel;
  trainer: Trainer;
  batches: BatchSource;
  validation: Batch;
  /** The same digits as stored (their pixels for the pictures). */
  validationSet: DigitSet;
  rng: Rng;
  /** Where the loop starts (a new run: all zeros; a resumed one: its checkpoint's state). */
  state: LoopState;
  callbacks: readonly Callback[];
  /** The context the callbacks see; the loop keeps its step counters current. */
  ctx: FitContext & { globalStep: number; resumedMidEpoch: boolean; lastValidation: FitContext['lastValidation'] };
  progress: Progress;
  sink: RunSink;
  /** A batch sample goes to the history every this many batches. */
  sampleRate: number;
  /** Multiplies the loss as reported (the mlengine trainer reports cross-entropy × 100). */
  lossScale: number;
  signal: AbortSignal;
  waitIfPaused?(): Promise<void>;
  /** True once a checkpoint was asked for (Checkpoints callback); the loop writes it after the step. */
  checkpointWanted(): boolean;
}

export interface LoopResult {
  /** completed: all steps ran (or a callback stopped training); interrupted: the signal fired. */
  status: 'completed' | 'interrupted';
  lastEpoch: EpochRecord | null;
  state: LoopState;
}

const mean = (sum: number, steps: number) => sum / Math.max(steps, 1);

export async function runLoop(inputs: LoopInputs): Promise<LoopResult> {
  const { plan, trainer, batches, rng, progress, signal, callbacks, ctx, state } = inputs;
  let lastEpoch: EpochRecord | null = null;
  const each = async (call: (cb: Callback) => void | Promise<void>) => {
    for (const cb of callbacks) await call(cb);
  };
  const keeps = inputs.sink.keepsCheckpoints !== false;
  // The weights' spread before training; one more record follows each epoch's checkpoint.
  if (state.globalStep === 0 && keeps) await inputs.sink.append(await weightsRecord(inputs.model, 0));
  await each((cb) => cb.onTrainBegin?.(ctx));

  while (state.epoch < plan.epochs && !ctx.stopTraining) {
    const epochSteps = Math.min(plan.stepsPerEpoch, plan.totalSteps - state.epoch * plan.stepsPerEpoch);
    ctx.resumedMidEpoch = state.stepInEpoch > 0;
    await each((cb) => cb.onEpochBegin?.(state.epoch, ctx));
    if (state.stepInEpoch === 0) progress.startEpoch(state.epoch, plan.epochs);
    let segmentStart = performance.now();
    let lr = ctx.learningRate;

    while (state.stepInEpoch < epochSteps) {
      await inputs.waitIfPaused?.();
      for (const cb of callbacks) cb.onBatchBegin?.(state.stepInEpoch, state.globalStep, ctx);
      lr = ctx.learningRate;
      const batch = batches.next();
      const result = await trainer.step(batch.xs, batch.labels, lr, rng.nextUint32());
      const loss = result.loss * inputs.lossScale;
      state.sums.loss += loss;
      state.sums.accuracy += result.accuracy;
      state.sums.steps++;
      if (state.stepInEpoch % inputs.sampleRate === 0) {
        const sample: BatchRecord = { type: 'batch', epoch: state.epoch, step: state.stepInEpoch, globalStep: state.globalStep, loss, accuracy: result.accuracy, lr };
        await inputs.sink.append(sample);
      }
      state.stepInEpoch++;
      state.globalStep++;
      ctx.globalStep = state.globalStep;
      const running = { loss: mean(state.sums.loss, state.sums.steps), accuracy: mean(state.sums.accuracy, state.sums.steps), lr };
      progress.step(state.stepInEpoch, epochSteps, running.loss, running.accuracy, lr);
      for (const cb of callbacks) cb.onBatchEnd?.(state.stepInEpoch - 1, running, ctx);
      // Lets Ctrl-C (and readers of the history) in between steps.
      await yieldToEventLoop();
      if (signal.aborted) {
        state.seconds += (performance.now() - segmentStart) / 1000;
        segmentStart = performance.now();
        if (keeps) await checkpoint(inputs, lr);
        return { status: 'interrupted', lastEpoch, state };
      }
      if (inputs.checkpointWanted() && state.stepInEpoch < epochSteps && keeps) await checkpoint(inputs, lr);
    }

    const val = await trainer.evaluate(inputs.validation.xs, inputs.validation.labels, inputs.validation.size);
    const epochSeconds = (performance.now() - segmentStart) / 1000;
    state.seconds += epochSeconds;
    const record: EpochRecord = {
      type: 'epoch',
      epoch: state.epoch,
      loss: mean(state.sums.loss, state.sums.steps),
      accuracy: mean(state.sums.accuracy, state.sums.steps),
      val_loss: val.loss * inputs.lossScale,
      val_accuracy: val.accuracy,
      lr,
      seconds: epochSeconds,
    };
    await inputs.sink.append(record);
    progress.endEpoch(record, epochSteps);
    lastEpoch = record;
    ctx.lastValidation = { set: inputs.validationSet, probabilities: val.probabilities };
    state.epoch++;
    state.stepInEpoch = 0;
    state.sums = { loss: 0, accuracy: 0, steps: 0 };
    if (keeps) {
      await checkpoint(inputs, lr);
      await inputs.sink.append(await weightsRecord(inputs.model, state.epoch)); // the checkpoint synced the model
    }
    const logs: EpochLogs = { loss: record.loss, accuracy: record.accuracy, val_loss: record.val_loss, val_accuracy: record.val_accuracy, lr };
    await each((cb) => cb.onEpochEnd?.(record.epoch, logs, ctx));
  }
  await each((cb) => cb.onTrainEnd?.(ctx));
  return { status: 'completed', lastEpoch, state };
}

async function checkpoint(inputs: LoopInputs, lr: number): Promise<void> {
  inputs.trainer.syncToModel();
  inputs.state.rng = inputs.rng.getState();
  inputs.state.batcher = inputs.batches.getState();
  inputs.state.lr = lr;
  await inputs.sink.saveCheckpoint(inputs.model, await inputs.trainer.getOptimizerState(), inputs.state);
}
