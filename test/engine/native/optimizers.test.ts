// The native optimizers against TF.js's own (cpu backend): the spec read from each TF.js optimizer, a few steps of
// every variant with identical weights and slots, and checkpoints that move between the two engines both ways.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { optimizerSpecOf } from '../../../src/engine/native/optimizer-spec.js';
import type { NativeOptimizerSpec, OptimizerState } from '../../../src/engine/types.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/allclose.js';
import { compile, describeNative, expectSameWeights, randomFloats, randomLabels, referenceStep, twin } from '../../helpers/native-reference.js';

/** tanh and sigmoid: no gradient is exactly zero, which TF.js's centered RMSprop would turn into NaN. */
const mlp = (units1: number, units2: number) => (): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [12], units: units1, activation: 'tanh' }),
      tf.layers.dense({ units: units2, activation: 'sigmoid' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
const smallModel = mlp(8, 6);

const VARIANTS: [string, () => tf.Optimizer, number][] = [
  ['sgd', () => tf.train.sgd(0.1), 0.1],
  ['momentum 0.9', () => tf.train.momentum(0.1, 0.9), 0.1],
  ['momentum 0.8, Nesterov', () => tf.train.momentum(0.1, 0.8, true), 0.1],
  ['adam (Keras defaults)', () => tf.train.adam(0.01, 0.9, 0.999, 1e-7), 0.01],
  ['adam beta1 0.8 beta2 0.95 epsilon 1e-4', () => tf.train.adam(0.01, 0.8, 0.95, 1e-4), 0.01],
  ['rmsprop (defaults)', () => tf.train.rmsprop(0.01), 0.01],
  ['rmsprop decay 0.8 momentum 0.5 epsilon 1e-5', () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-5), 0.01],
  ['rmsprop centered, momentum 0.3, epsilon 1e-10', () => tf.train.rmsprop(0.01, 0.9, 0.3, 1e-10, true), 0.01],
];

function specOf(optimizer: tf.Optimizer): NativeOptimizerSpec {
  const spec = optimizerSpecOf(optimizer);
  if ('unsupported' in spec) throw new Error(spec.unsupported);
  return spec;
}

/** A TF.js optimizer's getWeights() as an OptimizerState. */
async function tfjsState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const [iterations, ...slots] = await optimizer.getWeights();
  return { step: iterations.tensor.dataSync()[0], slots: slots.map((s) => ({ name: s.name, shape: s.tensor.shape, data: s.tensor.dataSync() as Float32Array })) };
}

function batches(seed: number, count: number, size: number, features = 12): { xs: Float32Array; labels: Uint8Array }[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => ({ xs: randomFloats(rng, size * features, -1, 1), labels: randomLabels(rng, size) }));
}

const LOSS = { kind: 'categorical', labelSmoothing: 0 } as const;

/**
 * Steps twins of the model natively and in TF.js on the same batches, the learning rate of each step set on the
 * TF.js optimizer as a schedule sets it, and expects the same weights; disposes the optimizer.
 */
function expectSameSteps(build: () => tf.Sequential, seed: number, optimizer: tf.Optimizer, data: ReturnType<typeof batches>, lrAt: (step: number) => number): void {
  const [nativeModel, refModel] = twin(build, seed);
  const trainer = compile(nativeModel, { optimizer: specOf(optimizer), loss: LOSS, batchSize: data[0].labels.length });
  for (const [step, batch] of data.entries()) {
    (optimizer as unknown as { learningRate: number }).learningRate = lrAt(step);
    trainer.step(batch.xs, batch.labels, lrAt(step), step);
    referenceStep(refModel, optimizer, batch.xs, batch.labels, step);
  }
  trainer.pushWeightsToModel();
  expectSameWeights(nativeModel, refModel, 1e-6, 1e-5);
  trainer.dispose();
  optimizer.dispose();
}

describeNative('native optimizers vs TF.js', () => {
  it('optimizerSpecOf reads SGD, momentum, Adam and RMSprop, and names what it cannot run', () => {
    expect(optimizerSpecOf(tf.train.sgd(0.1))).toEqual({ kind: 'sgd' });
    expect(optimizerSpecOf(tf.train.momentum(0.1, 0.7, true))).toEqual({ kind: 'momentum', momentum: 0.7, nesterov: true });
    expect(optimizerSpecOf(tf.train.momentum(0.1, 0.9))).toEqual({ kind: 'momentum', momentum: 0.9, nesterov: false });
    expect(optimizerSpecOf(tf.train.adam(0.001, 0.8, 0.9, 1e-3))).toEqual({ kind: 'adam', beta1: 0.8, beta2: 0.9, epsilon: 1e-3 });
    expect(optimizerSpecOf(tf.train.adam(0.001))).toEqual({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: tf.backend().epsilon() });
    expect(optimizerSpecOf(tf.train.rmsprop(0.01, 0.8, 0.2, 1e-6, true))).toEqual({ kind: 'rmsprop', decay: 0.8, momentum: 0.2, epsilon: 1e-6, centered: true });
    for (const [optimizer, name] of [
      [tf.train.adamax(0.01), 'Adamax'],
      [tf.train.adagrad(0.01), 'Adagrad'],
      [tf.train.adadelta(0.01), 'Adadelta'],
    ] as const) {
      expect(optimizerSpecOf(optimizer)).toEqual({ unsupported: expect.stringMatching(new RegExp(`^optimizer ${name} \\(natively: SGD, Momentum`)) });
    }
  });

  it.each(VARIANTS)('%s: three steps give TF.js\'s weights and slots', async (name, make, lr) => {
    const [nativeModel, refModel] = twin(smallModel, 3);
    const optimizer = make();
    const trainer = compile(nativeModel, { optimizer: specOf(optimizer), loss: LOSS, batchSize: 6 });
    for (const [step, batch] of batches(4, 3, 6).entries()) {
      const native = trainer.step(batch.xs, batch.labels, lr, step);
      const reference = referenceStep(refModel, optimizer, batch.xs, batch.labels, step);
      expect(native.loss).toBeCloseTo(reference.loss, 5);
    }
    trainer.pushWeightsToModel();
    expectSameWeights(nativeModel, refModel, 1e-6, 1e-5);
    const nativeState = trainer.getOptimizerState();
    const reference = await tfjsState(optimizer);
    expect(nativeState.step).toBe(3);
    // TF.js's names, <variable>/<slot>, in its order (each model has its own variable names).
    const names = (state: OptimizerState, model: tf.Sequential): string[] => {
      const index = new Map(model.trainableWeights.map((w, i) => [w.name, i]));
      return state.slots.map((s) => `${index.get(s.name.slice(0, s.name.lastIndexOf('/')))}${s.name.slice(s.name.lastIndexOf('/'))}`);
    };
    expect(names(nativeState, nativeModel)).toEqual(names(reference, refModel));
    expect(nativeState.slots.length).toBeGreaterThanOrEqual(name === 'sgd' ? 0 : 6);
    nativeState.slots.forEach((slot, i) => expectAllClose(slot.data, reference.slots[i].data, 1e-7, 1e-4));
    trainer.dispose();
    optimizer.dispose();
  });

  // Among 76,800 weights some gradients are within rounding of zero; Adam with epsilon 1e-7 scales their summation-order
  // rounding up to a step's size, and TF.js's centered RMSprop turns them into NaN, so those two variants are left to
  // the small model above (the split across threads is the same for every optimizer).
  const SPLIT_VARIANTS = VARIANTS.filter(([name]) => name !== 'adam (Keras defaults)' && !name.startsWith('rmsprop centered'));
  it.each(SPLIT_VARIANTS)('%s: a 76,800-weight kernel, its gradient computed in blocks of rows and its update shared across threads, gives TF.js\'s weights', (_, make, lr) => {
    expectSameSteps(mlp(256, 300), 7, make(), batches(8, 2, 5), () => lr);
  });

  it('a learning rate that changes per step (a schedule) is applied as TF.js applies optimizer.learningRate', () => {
    expectSameSteps(smallModel, 5, tf.train.rmsprop(0.01, 0.9, 0.2), batches(6, 3, 4), (step) => 0.01 * 0.5 ** step);
  });

  it.each(VARIANTS.filter(([name]) => name !== 'sgd'))('%s: a checkpoint moves between the engines both ways and training continues identically', async (_, make, lr) => {
    const data = batches(7, 4, 5);
    // Native → TF.js: two native steps, then the third on both, the TF.js optimizer restored from the native state.
    const [model, refModel] = twin(smallModel, 8);
    const nativeOptimizer = make();
    const trainer = compile(model, { optimizer: specOf(nativeOptimizer), loss: LOSS, batchSize: 5 });
    data.slice(0, 2).forEach((b, i) => trainer.step(b.xs, b.labels, lr, i));
    trainer.pushWeightsToModel();
    refModel.setWeights(model.getWeights());
    const saved = trainer.getOptimizerState();
    const restoredTfjs = make();
    await restoredTfjs.setWeights([
      { name: 'iter', tensor: tf.scalar(saved.step, 'int32') },
      ...saved.slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) })),
    ]);
    for (const [i, b] of data.slice(2).entries()) {
      trainer.step(b.xs, b.labels, lr, 2 + i);
      referenceStep(refModel, restoredTfjs, b.xs, b.labels, 2 + i);
    }
    trainer.pushWeightsToModel();
    expectSameWeights(model, refModel, 1e-6, 1e-5);

    // TF.js → native: a fresh native trainer takes the TF.js optimizer's getWeights() and the model's weights.
    const fromTfjs = compile(refModel, { optimizer: specOf(restoredTfjs), loss: LOSS, batchSize: 5 });
    fromTfjs.setOptimizerState(await tfjsState(restoredTfjs));
    expect(fromTfjs.getOptimizerState().step).toBe(4);
    const next = batches(9, 1, 5)[0];
    const [, check] = twin(smallModel, 8);
    check.setWeights(refModel.getWeights());
    fromTfjs.step(next.xs, next.labels, lr, 9);
    referenceStep(check, restoredTfjs, next.xs, next.labels, 9);
    fromTfjs.pushWeightsToModel();
    expectSameWeights(refModel, check, 1e-6, 1e-5);
    [trainer, fromTfjs].forEach((t) => t.dispose());
    [nativeOptimizer, restoredTfjs].forEach((o) => o.dispose());
  });

  it('setOptimizerState refuses a state of another optimizer or model, naming the slot', () => {
    const model = smallModel();
    const adam = compile(model, { optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, loss: LOSS, batchSize: 2 });
    const momentum = compile(model, { optimizer: { kind: 'momentum', momentum: 0.9, nesterov: false }, loss: LOSS, batchSize: 2 });
    const [b] = batches(10, 1, 2);
    momentum.step(b.xs, b.labels, 0.1, 0);
    const state = momentum.getOptimizerState();
    expect(() => adam.setOptimizerState(state)).toThrow(/optimizer state has 6 slots; this optimizer has 12 \(\/m, \/v for each of 6 variables\)/);
    const asAdam = { step: 1, slots: [...state.slots, ...state.slots] };
    expect(() => adam.setOptimizerState(asAdam)).toThrow(new RegExp(`slot 0 is ${model.trainableWeights[0].name}/momentum; expected the /m slot of`));
    expect(() => momentum.setOptimizerState({ step: 1, slots: state.slots.slice(1) })).toThrow(/has 5 slots; this optimizer has 6/);
    const wrongSize = { ...state, slots: state.slots.map((s, i) => (i === 0 ? { ...s, data: new Float32Array(3) } : s)) };
    expect(() => momentum.setOptimizerState(wrongSize)).toThrow(/has 3 values; expected shape \[12,8\]/);
    // A fresh TF.js optimizer (no step taken yet, no slots) resets the native one.
    momentum.setOptimizerState({ step: 0, slots: [] });
    expect(momentum.getOptimizerState().slots.every((s) => s.data.every((v) => v === 0))).toBe(true);
    [adam, momentum].forEach((t) => t.dispose());
  });
});
