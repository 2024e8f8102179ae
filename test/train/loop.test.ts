// The training loop with a stand-in trainer and batch source: the records it writes, the callbacks' order and
// learning rates, checkpoints asked for and on Ctrl-C, early stopping and the loss scale, all in milliseconds.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerState, Trainer } from '../../src/engine/types.js';
import type { HistoryRecord, LoopState } from '../../src/run/schema.js';
import type { Callback } from '../../src/train/callbacks/callback.js';
import { checkpoints } from '../../src/train/callbacks/checkpoints.js';
import { earlyStopping } from '../../src/train/callbacks/early-stopping.js';
import { learningRateScheduler } from '../../src/train/callbacks/learning-rate-scheduler.js';
import { plotTraining } from '../../src/train/callbacks/plot-training.js';
import { stopAtAccuracy } from '../../src/train/callbacks/stop-at-accuracy.js';
import { runLoop, type LoopInputs } from '../../src/train/loop.js';
import { Progress } from '../../src/train/progress.js';
import { Rng } from '../../src/util/rng.js';
import { Capture } from '../helpers/capture.js';

/** A trainer whose loss falls by 0.1 a step and whose validation loss and accuracy follow given lists. */
class StandInTrainer implements Trainer {
  readonly engine = 'stand-in';
  readonly lrs: number[] = [];
  readonly seeds: number[] = [];
  private steps = 0;
  constructor(
    private readonly valLosses: number[] = [],
    private readonly valAccuracies: number[] = [],
  ) {}
  step(_xs: Float32Array, _labels: Uint8Array, lr: number, seed: number) {
    this.lrs.push(lr);
    this.seeds.push(seed);
    this.steps++;
    return { loss: 2 - 0.1 * this.steps, accuracy: 0.1 * this.steps };
  }
  evaluate(_xs: Float32Array, _labels: Uint8Array, count: number) {
    const epoch = Math.floor(this.steps / 3) - 1;
    return { loss: this.valLosses[epoch] ?? 1, accuracy: this.valAccuracies[epoch] ?? 0.5, probabilities: new Float32Array(count * 10) };
  }
  syncToModel(): void {}
  getOptimizerState(): OptimizerState {
    return { step: this.steps, slots: [] };
  }
  setOptimizerState(): void {}
  dispose(): void {}
}

const newState = (): LoopState => ({ epoch: 0, stepInEpoch: 0, globalStep: 0, rng: [1, 2, 3, 4], batcher: null, sums: { loss: 0, accuracy: 0, steps: 0 }, seconds: 0 });

let model: tf.Sequential;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
});

function setUp(options: { trainer?: StandInTrainer; callbacks?: Callback[]; epochs?: number; abortAfter?: number; lossScale?: number } = {}) {
  const records: HistoryRecord[] = [];
  const checkpointsAt: number[] = [];
  let lr = 0.5;
  let served = 0;
  let wanted = false;
  let checks = 0;
  const trainer = options.trainer ?? new StandInTrainer();
  const ctx: LoopInputs['ctx'] = {
    model,
    epochs: options.epochs ?? 3,
    stepsPerEpoch: 3,
    totalSteps: (options.epochs ?? 3) * 3,
    globalStep: 0,
    resumedMidEpoch: false,
    out: new Capture(),
    get learningRate() {
      return lr;
    },
    set learningRate(value: number) {
      lr = value;
    },
    stopTraining: false,
    lastValidation: null,
    requestCheckpoint: () => {
      wanted = true;
    },
  };
  const inputs: LoopInputs = {
    plan: { epochs: ctx.epochs, stepsPerEpoch: 3, totalSteps: ctx.totalSteps },
    model,
    trainer,
    batches: { next: () => ({ xs: new Float32Array(784), labels: new Uint8Array([served++ % 10]), size: 1 }), getState: () => ({ served }) },
    validation: { xs: new Float32Array(2 * 784), labels: new Uint8Array([1, 2]), size: 2 },
    validationSet: { images: new Uint8Array(2 * 784), labels: new Uint8Array([1, 2]), count: 2 },
    rng: new Rng(7),
    state: newState(),
    callbacks: options.callbacks ?? [],
    ctx,
    progress: new Progress({ stream: ctx.out as Capture }),
    sink: {
      append: async (r) => void records.push(r),
      saveCheckpoint: async (_m, _o, s) => void checkpointsAt.push(s.globalStep),
      resumeFrom: async () => null,
    },
    sampleRate: 2,
    lossScale: options.lossScale ?? 1,
    signal: { get aborted() { return options.abortAfter !== undefined && ++checks > options.abortAfter; } } as AbortSignal,
    checkpointWanted: () => {
      const w = wanted;
      wanted = false;
      return w;
    },
  };
  return { inputs, records, checkpointsAt, trainer, out: ctx.out as Capture };
}

describe('runLoop', () => {
  it('writes weights, batch samples every sampleRate steps and an epoch record each epoch, checkpointing at epoch ends', async () => {
    const { inputs, records, checkpointsAt } = setUp();
    const result = await runLoop(inputs);
    expect(result.status).toBe('completed');
    expect(records.map((r) => r.type)).toEqual(['weights', 'batch', 'batch', 'epoch', 'weights', 'batch', 'batch', 'epoch', 'weights', 'batch', 'batch', 'epoch', 'weights']);
    expect(records.filter((r) => r.type === 'batch').map((r) => r.type === 'batch' && r.step)).toEqual([0, 2, 0, 2, 0, 2]);
    const first = records.find((r) => r.type === 'epoch');
    // Epoch 0's training loss is the mean of the three steps' (1.9, 1.8, 1.7).
    expect(first).toMatchObject({ epoch: 0, val_loss: 1, val_accuracy: 0.5 });
    expect(first?.type === 'epoch' && first.loss).toBeCloseTo(1.8, 12);
    expect(checkpointsAt).toEqual([3, 6, 9]);
    expect(result.state).toMatchObject({ epoch: 3, stepInEpoch: 0, globalStep: 9, batcher: { served: 9 } });
  });

  it('spends nothing on checkpoints and weight records when the sink keeps no checkpoints (a run against the clock)', async () => {
    const { inputs, records, checkpointsAt } = setUp({ epochs: 2, callbacks: [checkpoints({ everySteps: 1 })] });
    let syncs = 0;
    inputs.trainer.syncToModel = () => void syncs++;
    const result = await runLoop({ ...inputs, sink: { ...inputs.sink, keepsCheckpoints: false } });
    expect(result.status).toBe('completed');
    expect(records.map((r) => r.type)).toEqual(['batch', 'batch', 'epoch', 'batch', 'batch', 'epoch']);
    expect(checkpointsAt).toEqual([]);
    expect(syncs).toBe(0);
  });

  it('draws each dropout seed from the rng and reports the scaled loss', async () => {
    const { inputs, records, trainer } = setUp({ epochs: 1, lossScale: 100 });
    await runLoop(inputs);
    const rng = new Rng(7);
    expect(trainer.seeds).toEqual([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]);
    expect(records.find((r) => r.type === 'batch')).toMatchObject({ loss: expect.closeTo(190, 9) });
  });

  it('runs a per-epoch and a per-step schedule before the steps they apply to, and announces the epoch rate', async () => {
    const epochWise = setUp({ callbacks: [learningRateScheduler((e) => 0.1 / (e + 1), { verbose: true })] });
    await runLoop(epochWise.inputs);
    expect(epochWise.trainer.lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.1 / 3, 0.1 / 3, 0.1 / 3]);
    expect(epochWise.out.text).toContain('Epoch 2: LearningRateScheduler setting learning rate to 0.05.\nEpoch 2/3');
    const stepWise = setUp({ epochs: 1, callbacks: [learningRateScheduler((_e, s) => 1 / (s + 1), { perStep: true })] });
    await runLoop(stepWise.inputs);
    expect(stepWise.trainer.lrs).toEqual([1, 0.5, 1 / 3]);
  });

  it('calls the callbacks in Keras order', async () => {
    const calls: string[] = [];
    const spy: Callback = {
      onTrainBegin: () => void calls.push('train+'),
      onEpochBegin: (e) => void calls.push(`epoch${e}+`),
      onBatchBegin: (b) => void calls.push(`b${b}+`),
      onBatchEnd: (b) => void calls.push(`b${b}-`),
      onEpochEnd: (e, logs) => void calls.push(`epoch${e}-${logs.val_loss}`),
      onTrainEnd: () => void calls.push('train-'),
    };
    await runLoop(setUp({ epochs: 1, callbacks: [spy] }).inputs);
    expect(calls).toEqual(['train+', 'epoch0+', 'b0+', 'b0-', 'b1+', 'b1-', 'b2+', 'b2-', 'epoch0-1', 'train-']);
  });

  it('refuses bad callback arguments with BAD_ARGUMENT naming them', () => {
    const bad = [
      [() => earlyStopping({ patience: -1 }), /^earlyStopping patience must be an integer ≥ 0; got -1$/],
      [() => checkpoints({ everySteps: 0.5 }), /^checkpoints everySteps must be a positive integer; got 0.5$/],
      [() => plotTraining({ sampleRate: 0 }), /^plotTraining sampleRate must be a positive integer; got 0$/],
      [() => plotTraining({ zoom: 0 }), /^plotTraining zoom must be a number > 0; got 0$/],
    ] as const;
    for (const [make, message] of bad) {
      expect(make).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringMatching(message), hint: expect.any(String) }));
    }
  });

  it('stops early when the monitored loss stops improving', async () => {
    const { inputs, records, out } = setUp({ epochs: 6, trainer: new StandInTrainer([1, 0.9, 0.95, 0.97, 0.5, 0.4]), callbacks: [earlyStopping({ patience: 1 })] });
    const result = await runLoop(inputs);
    expect(result.status).toBe('completed');
    expect(records.filter((r) => r.type === 'epoch')).toHaveLength(4);
    expect(out.text).toContain('Epoch 4: early stopping (val_loss has not improved for 2 epochs)');
  });

  it('stops at the first epoch whose validation accuracy reaches the target, and never below it', async () => {
    const accuracies = [0.9, 0.985, 0.99, 0.995, 0.999];
    const reached = setUp({ epochs: 5, trainer: new StandInTrainer([], accuracies), callbacks: [stopAtAccuracy(0.99)] });
    await runLoop(reached.inputs);
    expect(reached.records.filter((r) => r.type === 'epoch').map((r) => (r as { val_accuracy: number }).val_accuracy)).toEqual([0.9, 0.985, 0.99]);
    expect(reached.out.text).toContain('Epoch 3: val_accuracy 99.00% reached the target 99.00%: training stops');
    const missed = setUp({ epochs: 5, trainer: new StandInTrainer([], accuracies), callbacks: [stopAtAccuracy(0.9995)] });
    await runLoop(missed.inputs);
    expect(missed.records.filter((r) => r.type === 'epoch')).toHaveLength(5);
    expect(missed.out.text).not.toContain('training stops');
    expect(() => stopAtAccuracy(99)).toThrow(/stopAtAccuracy target must be a fraction in \(0, 1\], e\.g\. 0\.99; got 99/);
    expect(() => stopAtAccuracy(0.99, { monitor: 'val_loss' as 'accuracy' })).toThrow(/monitor must be 'val_accuracy' or 'accuracy'; got "val_loss"/);
  });

  it('checkpoints where the Checkpoints callback asks, and on Ctrl-C after the batch, with the state to resume', async () => {
    const asked = setUp({ epochs: 2, callbacks: [checkpoints({ everySteps: 2 })] });
    await runLoop(asked.inputs);
    // Every 2 steps inside an epoch, plus every epoch end (3, 6): step 6 is one checkpoint, not two.
    expect(asked.checkpointsAt).toEqual([2, 3, 4, 6]);
    const interrupted = setUp({ abortAfter: 4 });
    const result = await runLoop(interrupted.inputs);
    expect(result.status).toBe('interrupted');
    expect(interrupted.checkpointsAt).toEqual([3, 5]);
    expect(result.state).toMatchObject({ epoch: 1, stepInEpoch: 2, globalStep: 5, lr: 0.5, sums: { steps: 2 } });
  });
});
