// The compiled trainer end to end: a 10-conv-bn-shaped model's Adam steps, partial batches, evaluation, dropout
// determinism, optimizer state, tensor hygiene, errors and the reasons a model stays off the native path.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { compileTrainer } from '../../../src/engine/native/compile-trainer.js';
import type { CompiledTrainer, TrainerOptions } from '../../../src/engine/types.js';
import { LabError } from '../../../src/errors.js';
import { batchNormalization } from '../../../src/models/layers/batch-norm.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/allclose.js';
import {
  compile, describeNative, expectSameWeights, nativeAddon, randomFloats, randomLabels, referenceStep, seededBuild, smallConvBn, twin,
} from '../../helpers/native-reference.js';

const ADAM: Omit<TrainerOptions, 'batchSize'> = {
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: { kind: 'categorical', labelSmoothing: 0 },
};
const SGD: Omit<TrainerOptions, 'batchSize'> = { ...ADAM, optimizer: { kind: 'sgd' } };

const denseModel = (): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [30], units: 16, activation: 'relu' }),
      tf.layers.dense({ units: 8, activation: 'sigmoid' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });

describeNative('compiled native trainer', () => {
  it('10-conv-bn-shaped model: Adam steps give TF.js cpu losses, weights, BN moving stats and Adam slots', () => {
    const [nativeModel, refModel] = twin(() => smallConvBn(12), 1);
    const trainer = compile(nativeModel, { ...ADAM, batchSize: 8 });
    const optimizer = tf.train.adam(0.01);
    const rng = new Rng(2);
    for (let step = 0; step < 3; step++) {
      const xs = randomFloats(rng, 8 * 144);
      const labels = randomLabels(rng, 8);
      const lr = 0.01 * 0.666 ** step;
      // A schedule in TF.js: the optimizer reads its learningRate field at each applyGradients.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const native = trainer.step(xs, labels, lr, 40 + step);
      const reference = referenceStep(refModel, optimizer, xs, labels, 40 + step);
      expect(native.loss).toBeCloseTo(reference.loss, 4);
    }
    trainer.pushWeightsToModel();
    expectSameWeights(nativeModel, refModel, 1e-5, 1e-4);

    const state = trainer.getOptimizerState();
    expect(state.step).toBe(3);
    const tfSlots = optimizer.getWeights();
    return Promise.resolve(tfSlots).then((slots) => {
      // TF.js: [iterations, m of each variable..., v of each variable...]; ours by position, with TF.js-style names.
      const tfMoments = slots.slice(1);
      expect(state.slots.length).toBe(tfMoments.length);
      state.slots.forEach((slot, i) => {
        expect(slot.name.endsWith(i < state.slots.length / 2 ? '/m' : '/v')).toBe(true);
        expectAllClose(slot.data, tfMoments[i].tensor.dataSync() as Float32Array, 1e-7, 1e-3);
      });
      trainer.dispose();
      optimizer.dispose();
    });
  });

  it('a partial batch (fewer samples than batchSize) trains like TF.js', () => {
    const [nativeModel, refModel] = twin(() => smallConvBn(10), 3);
    const trainer = compile(nativeModel, { ...ADAM, batchSize: 8 });
    const rng = new Rng(4);
    const xs = randomFloats(rng, 3 * 100);
    const labels = randomLabels(rng, 3);
    const optimizer = tf.train.adam(0.01);
    const native = trainer.step(xs, labels, 0.01, 9);
    const reference = referenceStep(refModel, optimizer, xs, labels, 9);
    expect(native.loss).toBeCloseTo(reference.loss, 4);
    trainer.pushWeightsToModel();
    expectSameWeights(nativeModel, refModel, 1e-5, 1e-4);
    trainer.dispose();
    optimizer.dispose();
  });

  it('evaluate() on a count that is not a multiple of batchSize equals predict() and a plain-loop loss/accuracy', () => {
    const model = seededBuild(7, () => smallConvBn(12));
    const trainer = compile(model, { ...ADAM, batchSize: 8 });
    const rng = new Rng(8);
    for (let i = 0; i < 2; i++) trainer.step(randomFloats(rng, 8 * 144), randomLabels(rng, 8), 0.01, i);
    trainer.pushWeightsToModel();
    const count = 21;
    const xs = randomFloats(rng, count * 144);
    const labels = randomLabels(rng, count);
    const result = trainer.evaluate(xs, labels, count);
    const predicted = tf.tidy(() => (model.predict(tf.tensor2d(xs, [count, 144])) as tf.Tensor).dataSync() as Float32Array);
    expectAllClose(result.probabilities, predicted, 1e-6, 1e-4);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const row = Array.from(predicted.subarray(i * 10, i * 10 + 10));
      loss -= Math.log(Math.min(Math.max(row[labels[i]], 1e-7), 1 - 1e-7));
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
    }
    expect(result.loss).toBeCloseTo(loss / count, 4);
    expect(result.accuracy).toBeCloseTo(correct / count, 10);
    trainer.dispose();
  });

  it('dropout: the same seed gives the same mask, another seed another; about `rate` of units are dropped', () => {
    const mask = nativeAddon().dropoutMask(123, 4, 100000, 0.3);
    expect(Array.from(mask)).toEqual(Array.from(nativeAddon().dropoutMask(123, 4, 100000, 0.3)));
    const dropped = mask.reduce((n, v) => n + (v === 0 ? 1 : 0), 0) / mask.length;
    expect(dropped).toBeGreaterThan(0.29);
    expect(dropped).toBeLessThan(0.31);
    expect(Array.from(nativeAddon().dropoutMask(124, 4, 1000, 0.3))).not.toEqual(Array.from(mask.subarray(0, 1000)));
    expect(Array.from(nativeAddon().dropoutMask(123, 5, 1000, 0.3))).not.toEqual(Array.from(mask.subarray(0, 1000)));

    const build = (): tf.Sequential =>
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [12], units: 40 }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 10, activation: 'softmax' })],
      });
    const [a, b] = twin(build, 9);
    const ta = compile(a, { ...SGD, batchSize: 4 });
    const tb = compile(b, { ...SGD, batchSize: 4 });
    const rng = new Rng(10);
    const xs = randomFloats(rng, 48);
    const labels = randomLabels(rng, 4);
    const kernelGrad = (t: CompiledTrainer): number[] => Array.from([...t.lastGradients().values()][0]);
    ta.step(xs, labels, 0, 77);
    tb.step(xs, labels, 0, 77);
    expect(kernelGrad(ta)).toEqual(kernelGrad(tb));
    tb.step(xs, labels, 0, 78);
    expect(kernelGrad(ta)).not.toEqual(kernelGrad(tb));
    ta.dispose();
    tb.dispose();
  });

  it('cuts each batch into chunks that any thread runs: the same steps give the same weights, bit for bit, on 1 or 2 threads', () => {
    // Every kind of layer on chunks of a batch: 70 samples (three chunks of 23-24 for two threads), 7 (two chunks of
    // 3 and 4), 1 (one); the pooling workspace, dropout mask, batch norm sums and weight gradients of each chunk.
    const build = (): tf.Sequential =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [100], targetShape: [10, 10, 1] }),
          tf.layers.conv2d({ kernelSize: 3, filters: 4, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ kernelSize: 3, filters: 6, padding: 'same', useBias: false }),
          batchNormalization({ center: true, scale: true }),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 12, activation: 'tanh' }),
          tf.layers.dropout({ rate: 0.3 }),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      });
    const rng = new Rng(16);
    const batches = [70, 7, 1].map((n) => ({ xs: randomFloats(rng, n * 100), labels: randomLabels(rng, n) }));
    const train = (threads: number): number[][] => {
      const model = seededBuild(17, build);
      const trainer = compile(model, { ...ADAM, batchSize: 70, threads });
      batches.forEach((b, i) => trainer.step(b.xs, b.labels, 0.01, i));
      trainer.pushWeightsToModel();
      trainer.dispose();
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return weights;
    };
    const pool = nativeAddon().info().threads;
    try {
      const twoThreads = train(2);
      expect(train(2)).toEqual(twoThreads);
      expect(train(1)).toEqual(twoThreads);
    } finally {
      nativeAddon().setThreads(pool);
    }
  });

  it('optimizer state round-trips: a trainer restored from weights + state continues exactly like the original', () => {
    const model = seededBuild(11, () => smallConvBn(10));
    const original = compile(model, { ...ADAM, batchSize: 4 });
    const rng = new Rng(12);
    const batches = Array.from({ length: 3 }, () => ({ xs: randomFloats(rng, 400), labels: randomLabels(rng, 4) }));
    original.step(batches[0].xs, batches[0].labels, 0.01, 1);
    original.step(batches[1].xs, batches[1].labels, 0.01, 2);
    original.pushWeightsToModel();
    const state = original.getOptimizerState();
    expect(state.slots.map((s) => s.name)).toContain(`${model.trainableWeights[0].name}/m`);

    const restored = compile(model, { ...ADAM, batchSize: 4 });
    restored.setOptimizerState(state);
    expect(restored.getOptimizerState()).toEqual(state);
    const a = original.step(batches[2].xs, batches[2].labels, 0.01, 3);
    const b = restored.step(batches[2].xs, batches[2].labels, 0.01, 3);
    expect(b).toEqual(a);
    const after = new Map([...original.getOptimizerState().slots].map((s) => [s.name, Array.from(s.data)]));
    for (const s of restored.getOptimizerState().slots) expect(Array.from(s.data)).toEqual(after.get(s.name));

    expect(() => restored.setOptimizerState({ step: 1, slots: state.slots.slice(1) })).toThrow(/has 19 slots; this optimizer has 20/);
    original.dispose();
    restored.dispose();
  });

  it('leaks no tensors across steps, pushes, pulls and evaluations', () => {
    const model = seededBuild(13, () => smallConvBn(10));
    const rng = new Rng(14);
    const xs = randomFloats(rng, 400);
    const labels = randomLabels(rng, 4);
    const before = tf.memory().numTensors;
    const trainer = compile(model, { ...ADAM, batchSize: 4 });
    for (let i = 0; i < 5; i++) {
      trainer.step(xs, labels, 0.01, i);
      trainer.pushWeightsToModel();
      trainer.pullWeightsFromModel();
      trainer.evaluate(xs, labels, 4);
    }
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad input becomes an Error naming the problem, never a crash', () => {
    const model = seededBuild(15, denseModel);
    const trainer = compile(model, { ...ADAM, batchSize: 4 });
    const xs = new Float32Array(4 * 30);
    expect(() => trainer.step(xs.subarray(0, 100), new Uint8Array(4), 0.01, 1)).toThrow(LabError);
    const badLabel = (() => {
      try {
        trainer.step(xs, Uint8Array.from([1, 2, 12, 3]), 0.01, 1);
      } catch (err) {
        return err;
      }
    })();
    expect(badLabel).toBeInstanceOf(LabError);
    expect((badLabel as LabError).code).toBe('BAD_INPUT');
    expect((badLabel as LabError).message).toMatch(/step: labels\[2\] = 12 is not a class index below 10/);
    expect(() => trainer.step(new Float32Array(5 * 30), new Uint8Array(5), 0.01, 1)).toThrow(/150 floats for 5 labels; expected 150 \(30 per sample, 1 to 4 samples\)/);
    // The addon checks its own arguments too: a bad call is an Error naming the call, never a crash.
    expect(() => nativeAddon().dropoutMask(1, 2, -1.5, 0.5)).toThrow(/native dropoutMask: count must be an integer/);
    expect(() => nativeAddon().dropoutMask(1, 2, -1, 0.5)).toThrow(/native dropoutMask: count must be >= 0, got -1/);
    expect(() => trainer.evaluate(xs, new Uint8Array(4), 9)).toThrow(/evaluate: 120 floats and 4 labels for 9 samples; expected at least 270 floats/);
    expect(() => trainer.evaluate(xs, Uint8Array.from([0, 10, 0, 0]), 4)).toThrow(/evaluate: labels\[1\] = 10 is not a class index below 10/);
    expect(() => trainer.step(xs, new Uint8Array(4), Number.NaN, 1)).toThrow(/lr must be a finite number; got null/);
    expect(() => trainer.setOptimizerState({ step: -1, slots: [] })).toThrow(/optimizer state step must be an integer >= 0; got -1/);
    expect(() => compileTrainer(model, { ...ADAM, batchSize: 4, threads: 0 })).toThrow(/threads must be a positive integer/);
    expect(() => compileTrainer(model, { ...ADAM, batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => compileTrainer(model, { ...ADAM, loss: { kind: 'categorical', labelSmoothing: 1 }, batchSize: 4 })).toThrow(
      /loss.labelSmoothing must be a number in \[0, 1\); got 1/,
    );
    expect(() => compileTrainer(model, { ...ADAM, loss: { kind: 'sparse', labelSmoothing: 0.1 }, batchSize: 4 })).toThrow(/0 for the 'sparse' loss/);
    expect(() => compileTrainer(model, { ...ADAM, optimizer: { kind: 'adam', beta1: Number.NaN, beta2: 0.999, epsilon: 1e-7 }, batchSize: 4 })).toThrow(
      /optimizer.beta1 must be a finite number/,
    );
    trainer.dispose();
    expect(() => trainer.step(xs, new Uint8Array(4), 0.01, 1)).toThrow(/disposed/);
  });

  it('reports what keeps a model off the native path, naming the layer (name and class) and the option', () => {
    const image = (...layers: tf.layers.Layer[]): tf.Sequential =>
      tf.sequential({ layers: [tf.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }), ...layers, tf.layers.flatten(), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const flat = (...layers: tf.layers.Layer[]): tf.Sequential => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 6 }), ...layers] });
    const frozen = denseModel();
    frozen.layers[0].trainable = false;
    const cases: [tf.Sequential, RegExp][] = [
      [image(tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, name: 'conv2d_3' })), /^layer conv2d_3 \(Conv2D\): dilationRate 2x2$/],
      [image(tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'elu' })), /^layer conv2d_\w+ \(Conv2D\): activation "elu" \(native: linear, relu, sigmoid, tanh, and softmax last\)$/],
      [image(tf.layers.conv2d({ filters: 2, kernelSize: 3, kernelRegularizer: tf.regularizers.l2() })), /\(Conv2D\): kernelRegularizer/],
      [image(tf.layers.depthwiseConv2d({ kernelSize: 3 })), /\(DepthwiseConv2D\): no native implementation of DepthwiseConv2D$/],
      [image(tf.layers.upSampling2d({ size: [2, 2] })), /\(UpSampling2D\): no native implementation/],
      [flat(tf.layers.dense({ units: 10 })), /^the model does not end in softmax \(its last layer dense_\w+ \(Dense\)\)/],
      [flat(tf.layers.activation({ activation: 'softmax' }), tf.layers.dense({ units: 10, activation: 'softmax' })), /\(Activation\): softmax before the last layer/],
      [flat(tf.layers.dropout({ rate: 0.2, noiseShape: [1, 6] }), tf.layers.dense({ units: 10, activation: 'softmax' })), /\(Dropout\): noiseShape \[1,6\]/],
      [image(tf.layers.batchNormalization({ axis: 1 })), /\(BatchNormalization\): axis 1 \(natively only the last axis\)/],
      [tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 3], units: 10, activation: 'softmax' })] }), /\(Dense\): input shape \[4,3\] is not flat/],
      [frozen, /^layer dense_Dense\d+ \(Dense\): frozen \(trainable false\)$/],
    ];
    for (const [model, reason] of cases) {
      expect(compileTrainer(model, { ...ADAM, batchSize: 4 })).toEqual({ trainer: null, reason: expect.stringMatching(reason) });
      model.dispose();
    }
  });
});
