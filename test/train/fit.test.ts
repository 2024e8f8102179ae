// fit on in-memory digits: the plan (steps per epoch, --steps, --epochs, maxSteps), --lr rescaling a schedule,
// the records it writes, and the bad models and compiles it refuses with an error naming the layer or option.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import type { LabError } from '../../src/errors.js';
import type { EpochRecord, StartRecord } from '../../src/run/schema.js';
import { learningRateScheduler } from '../../src/train/callbacks/learning-rate-scheduler.js';
import { trainingDataset, validationDataset } from '../../src/train/datasets.js';
import { fit, type FitOptions } from '../../src/train/fit.js';
import { DescribeStop, withSession } from '../../src/train/session.js';
import { memorySession, type MemorySessionOptions } from '../helpers/memory-session.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function dense(options: { units?: number; inputShape?: number[]; compile?: tf.ModelCompileArgs | null } = {}): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: options.inputShape ?? [784], units: options.units ?? 10, activation: 'softmax' })] });
  if (options.compile !== null) model.compile(options.compile ?? { optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function fitIn(sessionOptions: MemorySessionOptions, model: tf.LayersModel, options: Partial<FitOptions> = {}, batchSize = 8) {
  const session = memorySession(sessionOptions);
  const history = await withSession(session, () =>
    fit(model, trainingDataset({ batchSize }), { epochs: 2, validationData: validationDataset(), ...options }),
  );
  return { session, history };
}

const start = (records: { type: string }[]) => records.find((r) => r.type === 'start') as StartRecord;
const epochs = (records: { type: string }[]) => records.filter((r): r is EpochRecord => r.type === 'epoch');

describe('fit', () => {
  it('plans count // batch steps per epoch and returns a Keras History of the epochs it trained', async () => {
    const model = dense();
    const { session, history } = await fitIn({}, model);
    expect(start(session.sink.records)).toMatchObject({ epochs: 2, stepsPerEpoch: 8, batchSize: 8, engine: 'tfjs-cpu', optimizer: 'SGD (learningRate 0.1)' });
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history.val_accuracy).toEqual(epochs(session.sink.records).map((r) => r.val_accuracy));
    expect(session.fits).toHaveLength(1);
    expect(session.fits[0]).toMatchObject({ steps: 16, epochs: 2, batchSize: 8, testCount: 20 });
    model.dispose();
  });

  it('takes --epochs, --batch-size and --steps over the file, and maxSteps cuts the last epoch', async () => {
    const model = dense();
    const { session } = await fitIn({ overrides: { epochs: 3, batchSize: 4, steps: 5 } }, model);
    expect(start(session.sink.records)).toMatchObject({ epochs: 3, stepsPerEpoch: 5, batchSize: 4 });
    expect(session.fits[0].steps).toBe(15);
    const budget = await fitIn({}, dense(), { epochs: 3, stepsPerEpoch: 4, maxSteps: 10 });
    expect(epochs(budget.session.sink.records).map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(budget.session.fits[0].steps).toBe(10);
    expect(start(budget.session.sink.records).xTitle).toBe('evaluations (one every 4 steps)');
    model.dispose();
  });

  it('rescales a schedule so that it starts at --lr, and plans the rate it will use', async () => {
    const decay = (epoch: number) => 0.01 * Math.pow(0.6, epoch);
    const { session } = await fitIn({ overrides: { lr: 0.02 } }, dense(), { epochs: 3, callbacks: [learningRateScheduler(decay)] });
    const lrs = epochs(session.sink.records).map((r) => r.lr);
    [0.02, 0.012, 0.0072].forEach((lr, i) => expect(lrs[i]).toBeCloseTo(lr, 12));
    expect(start(session.sink.records).lr.map((p) => p.y).slice(0, 3).map((y) => Number(y.toFixed(6)))).toEqual([0.02, 0.012, 0.0072]);
    const batches = session.sink.records.filter((r) => r.type === 'batch');
    expect(batches.every((b) => b.type === 'batch' && b.lr === lrs[b.epoch])).toBe(true);
  });

  it('describes without data or training: the plan of the file, then stops', async () => {
    const session = memorySession({ describe: true });
    const model = dense();
    const stop = await withSession(session, () => fit(model, trainingDataset({ batchSize: 16 }), { epochs: 4, validationData: validationDataset() })).catch((e: unknown) => e);
    expect(stop).toBeInstanceOf(DescribeStop);
    expect((stop as DescribeStop).plan).toMatchObject({ epochs: 4, stepsPerEpoch: 4, batchSize: 16, loss: 'categoricalCrossentropy' });
    expect(session.sink.records).toEqual([]);
    model.dispose();
  });

  it('describes the rate as a function of (epoch, step), --lr applied, and the training stream as the file asked for it', async () => {
    const session = memorySession({ describe: true, overrides: { lr: 0.05 } });
    const perStep = (_epoch: number, step: number) => 0.1 / (1 + step);
    const training = trainingDataset({ batchSize: 16, shuffleBuffer: 7, augment: { rotate: 5 } });
    const callbacks = [learningRateScheduler(perStep, { perStep: true })];
    const stop = await withSession(session, () => fit(dense(), training, { epochs: 2, validationData: validationDataset(), callbacks })).catch((e: unknown) => e);
    const plan = (stop as DescribeStop).plan;
    for (const step of [0, 1, 5, 7]) expect(plan.learningRate(Math.floor(step / 4), step)).toBeCloseTo(0.05 / (1 + step), 12);
    expect(plan.training).toBe(training);
    expect(plan.training.augment).toEqual({ shift: 0, rotate: 5, scale: 0 });
    plan.model.dispose();
  });

  const refusal = async (model: tf.LayersModel, dataset = trainingDataset({ batchSize: 8 })): Promise<LabError> => {
    const error = await withSession(memorySession(), () => fit(model, dataset, { epochs: 1, validationData: validationDataset() })).catch((e: unknown) => e as LabError);
    model.dispose();
    return error as LabError;
  };

  it.each([
    ['an uncompiled model', () => dense({ compile: null }), /model .* is not compiled/, /model\.compile/],
    ['an input that is not the digits', () => dense({ inputShape: [100] }), /input \(layer dense\w*, Dense\) is \[100\]; the digits are \[784\]/, /inputShape/],
    ['an output that is not 10 classes', () => dense({ units: 7 }), /output \(layer dense\w*, Dense\) is \[7\]; it must be \[10\]/, /units: 10/],
    ['metrics without accuracy', () => dense({ compile: { optimizer: 'sgd', loss: 'categoricalCrossentropy' } }), /metrics must include 'accuracy'/, /metrics: \['accuracy'\]/],
    ['a sparse loss on one-hot labels', () => dense({ compile: { optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] } }), /takes sparse labels, but the training dataset gives one-hot/, /labels: 'sparse'/],
  ])('refuses %s, naming what was expected and what was found', async (_what, build, message, hint) => {
    const error = await refusal(build());
    expect(error.code).toBe('BAD_LAB_FILE');
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(hint);
  });

  it('trains a sparse loss on class-id labels, and refuses a second fit in one run', async () => {
    const session = memorySession();
    const model = dense({ compile: { optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] } });
    const sparse = () => fit(model, trainingDataset({ batchSize: 8, labels: 'sparse' }), { epochs: 1, validationData: validationDataset({ labels: 'sparse' }) });
    await withSession(session, async () => {
      const history = await sparse();
      expect(history.history.loss[0]).toBeGreaterThan(0);
      await expect(sparse()).rejects.toMatchObject({ code: 'BAD_LAB_FILE', message: expect.stringMatching(/second time/) });
    });
    model.optimizer.dispose();
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across a fit on the TF.js path', async () => {
    const model = dense();
    await fitIn({}, model, { epochs: 1 });
    const before = tf.memory().numTensors;
    const session = memorySession();
    await withSession(session, () => fit(model, trainingDataset({ batchSize: 8 }), { epochs: 2, validationData: validationDataset() }));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
