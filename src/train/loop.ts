// The training loop: steps, per-batch samples, validation at each epoch end, checkpoints, Ctrl-C.
import type * as tf from '@tensorflow/tfjs';
import { setImmediate as nextTick } from 'node:timers/promises';
import type { Preset } from '../models/preset.js';
import type { Rng } from '../util/rng.js';
import { saveCheckpoint, type LoopState } from './checkpoint.js';
import { weightsRecord } from './weight-distribution.js';
import type { TrainConfig } from './config.js';
import type { BatchRecord, EpochRecord, HistoryRecord } from './history.js';
import type { Progress } from './progress.js';
import type { Trainer } from './trainer.js';

/** The training batches as the loop sees them (src/data/pipeline.ts provides them). */
export interface BatchSource {
  next(): { xs: Float32Array; labels: Uint8Array; size: number };
  getState(): unknown;
}

export interface ValidationSet {
  xs: Float32Array;
  labels: Uint8Array;
  size: number;
}

export interface EpochPlan {
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
}

/**
 * Epochs and steps: the codelab's 60000 // batch steps per epoch, or, for step-based recipes (mlengine), its
 * `iterations` steps cut into evaluation periods of `evalEvery` steps, each reported as an "epoch".
 */
export function planEpochs(preset: Preset, config: TrainConfig, dataStepsPerEpoch: number): EpochPlan {
  const cap = config.steps ?? Infinity;
  if (preset.iterations) {
    const period = preset.evalEvery ?? dataStepsPerEpoch;
    const epochs = Math.ceil(preset.iterations / period);
    const stepsPerEpoch = Math.min(period, cap);
    return { epochs, stepsPerEpoch, totalSteps: config.steps === null ? preset.iterations : epochs * stepsPerEpoch };
  }
  const stepsPerEpoch = Math.min(dataStepsPerEpoch, cap);
  return { epochs: config.epochs, stepsPerEpoch, totalSteps: config.epochs * stepsPerEpoch };
}

/** The learning rate of a step: the preset's schedule, rescaled when --lr changed its starting value. */
export function learningRate(preset: Preset, config: TrainConfig, epoch: number, globalStep: number): number {
  if (!preset.schedule) return config.lr;
  return preset.schedule(epoch, globalStep) * (config.lr / preset.optimizer.lr);
}

export interface LoopInputs {
  config: TrainConfig;
  preset: Preset;
  plan: EpochPlan;
  model: tf.LayersModel;
  trainer: Trainer;
  batches: BatchSource;
  validation: ValidationSet;
  rng: Rng;
  state: LoopState;
  checkpointsDir: string;
  progress: Progress;
  signal: AbortSignal;
  appendHistory(record: HistoryRecord): Promise<void>;
  /** After each epoch's record, checkpoint and weights record, with the validation probabilities (count × 10). */
  onEpochEnd?(record: EpochRecord, probabilities: Float32Array): Promise<void>;
}

export interface LoopResult {
  status: 'completed' | 'interrupted';
  lastEpoch: EpochRecord | null;
  state: LoopState;
}

export async function runLoop(inputs: LoopInputs): Promise<LoopResult> {
  const { config, preset, plan, trainer, batches, rng, progress, signal } = inputs;
  const state = inputs.state;
  let lastEpoch: EpochRecord | null = null;
  const lossScale = preset.lossScale ?? 1;
  // The weights' spread before training; one more record follows each epoch's checkpoint.
  if (state.globalStep === 0) await inputs.appendHistory(weightsRecord(inputs.model, 0));

  while (state.epoch < plan.epochs) {
    const epochSteps = Math.min(plan.stepsPerEpoch, plan.totalSteps - state.epoch * plan.stepsPerEpoch);
    const usesSchedule = preset.schedule !== null;
    if (state.stepInEpoch === 0) {
      progress.startEpoch(state.epoch, plan.epochs, usesSchedule ? learningRate(preset, config, state.epoch, state.globalStep) : null);
    }
    let segmentStart = performance.now();
    let lr = config.lr;

    while (state.stepInEpoch < epochSteps) {
      lr = learningRate(preset, config, state.epoch, state.globalStep);
      const batch = batches.next();
      const result = trainer.step(batch.xs, batch.labels, lr, rng.nextUint32());
      state.sums.loss += result.loss * lossScale;
      state.sums.accuracy += result.accuracy;
      state.sums.steps++;
      if (state.stepInEpoch % config.sampleEvery === 0) {
        const sample: BatchRecord = {
          type: 'batch',
          epoch: state.epoch,
          step: state.stepInEpoch,
          globalStep: state.globalStep,
          loss: result.loss * lossScale,
          accuracy: result.accuracy,
          lr,
        };
        await inputs.appendHistory(sample);
      }
      state.stepInEpoch++;
      state.globalStep++;
      progress.step(state.stepInEpoch, epochSteps, state.sums.loss / state.sums.steps, state.sums.accuracy / state.sums.steps, lr);
      // Lets Ctrl-C (and the server's SSE readers) in between steps.
      await nextTick();
      if (signal.aborted) {
        state.seconds += (performance.now() - segmentStart) / 1000;
        await checkpoint(inputs);
        return { status: 'interrupted', lastEpoch, state };
      }
    }

    const val = trainer.evaluate(inputs.validation.xs, inputs.validation.labels, inputs.validation.size);
    const epochSeconds = (performance.now() - segmentStart) / 1000;
    state.seconds += epochSeconds;
    segmentStart = performance.now();
    const record: EpochRecord = {
      type: 'epoch',
      epoch: state.epoch,
      loss: state.sums.loss / Math.max(state.sums.steps, 1),
      accuracy: state.sums.accuracy / Math.max(state.sums.steps, 1),
      val_loss: val.loss * lossScale,
      val_accuracy: val.accuracy,
      lr,
      seconds: epochSeconds,
    };
    await inputs.appendHistory(record);
    progress.endEpoch(record, epochSteps);
    lastEpoch = record;
    state.epoch++;
    state.stepInEpoch = 0;
    state.sums = { loss: 0, accuracy: 0, steps: 0 };
    await checkpoint(inputs);
    await inputs.appendHistory(weightsRecord(inputs.model, state.epoch)); // the checkpoint synced the model
    await inputs.onEpochEnd?.(record, val.probabilities);
  }
  return { status: 'completed', lastEpoch, state };
}

async function checkpoint(inputs: LoopInputs): Promise<void> {
  inputs.trainer.syncToModel();
  inputs.state.rng = inputs.rng.getState();
  inputs.state.batcher = inputs.batches.getState();
  await saveCheckpoint(inputs.checkpointsDir, inputs.model, await inputs.trainer.getOptimizerState(), inputs.state);
}
