// Each native layer's training forward (loss), gradients (incl. its input gradient, through a weighted layer below
// it), BN moving statistics and inference output against TF.js's cpu backend on seeded random shapes.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { batchNormalization } from '../../../src/models/layers/batch-norm.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/allclose.js';
import { SGD_CATEGORICAL, compile, describeNative, randomFloats, randomLabels, referenceStep, seededBuild, weightValues } from '../../helpers/native-reference.js';

const maxAbs = (xs: Float32Array): number => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Closeness for float32 gradients summed in a different order: relative, with a floor at the largest gradient of
 * the model (a gradient that is zero in exact arithmetic, like a bias feeding batch norm, is rounding noise).
 */
function expectClose(actual: Float32Array, expected: Float32Array, scale: number, what: string): void {
  try {
    expectAllClose(actual, expected, 2e-5 * scale, 1e-4);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

/**
 * Compiles the model natively (SGD, lr 0: the step leaves the weights unchanged), runs one step and one TF.js
 * reference step on the same batch, and compares loss, gradients, BN moving statistics and inference outputs.
 */
function checkAgainstTfjs(model: tf.Sequential, batch: number, seed: number, options: { labelSmoothing?: number; inputScale?: number } = {}): Float32Array {
  const rng = new Rng(seed);
  const features = model.inputs[0].shape[1] as number;
  const xs = randomFloats(rng, batch * features, -1, 1).map((v) => v * (options.inputScale ?? 1));
  const labels = randomLabels(rng, batch);
  const labelSmoothing = options.labelSmoothing ?? 0;
  const trainer = compile(model, { ...SGD_CATEGORICAL, loss: { kind: 'categorical', labelSmoothing }, batchSize: batch });
  try {
    const native = trainer.step(xs, labels, 0, seed);
    const nativeGrads = trainer.lastGradients();
    const reference = referenceStep(model, tf.train.sgd(0), xs, labels, seed, labelSmoothing);
    expect(native.loss).toBeCloseTo(reference.loss, 4);
    expect([...nativeGrads.keys()].sort()).toEqual([...reference.grads.keys()].sort());
    const scale = Math.max(...[...reference.grads.values()].map(maxAbs));
    expect(scale, 'some gradient is not zero').toBeGreaterThan(1e-4);
    for (const [name, grad] of reference.grads) expectClose(nativeGrads.get(name)!, grad, scale, `gradient of ${name}`);

    const tfjsWeights = weightValues(model); // includes the moving statistics TF.js just updated
    trainer.pushWeightsToModel();
    for (const [name, value] of weightValues(model)) expectAllClose(value, tfjsWeights.get(name)!, 1e-6, 1e-5);

    const evaluation = trainer.evaluate(xs, labels, batch);
    const predicted = tf.tidy(() => (model.predict(tf.tensor2d(xs, [batch, features])) as tf.Tensor).dataSync() as Float32Array);
    expectAllClose(evaluation.probabilities, predicted, 1e-6, 1e-4);
    return evaluation.probabilities;
  } finally {
    trainer.dispose();
  }
}

type Act = 'linear' | 'relu' | 'sigmoid' | 'tanh';
const ACTS: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];

interface ConvCase {
  h: number;
  w: number;
  c: number;
  k: number;
  s: number;
  padding: 'same' | 'valid';
  filters: number;
  bias: boolean;
  act: Act;
  batch: number;
}

const FIXED_CONV_CASES: ConvCase[] = [
  { h: 7, w: 9, c: 2, k: 3, s: 1, padding: 'same', filters: 4, bias: true, act: 'relu', batch: 3 },
  { h: 9, w: 7, c: 3, k: 4, s: 2, padding: 'same', filters: 5, bias: false, act: 'linear', batch: 1 },
  { h: 11, w: 10, c: 2, k: 3, s: 3, padding: 'valid', filters: 3, bias: true, act: 'sigmoid', batch: 2 },
  { h: 8, w: 8, c: 1, k: 5, s: 2, padding: 'valid', filters: 2, bias: true, act: 'tanh', batch: 2 },
  { h: 13, w: 13, c: 3, k: 6, s: 2, padding: 'same', filters: 4, bias: false, act: 'relu', batch: 2 },
  { h: 10, w: 6, c: 2, k: 2, s: 3, padding: 'same', filters: 3, bias: true, act: 'tanh', batch: 1 },
];

function randomConvCases(seed: number, count: number): ConvCase[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  return Array.from({ length: count }, () => {
    const h = 4 + rng.int(9);
    const w = 4 + rng.int(9);
    return {
      h, w, c: 1 + rng.int(3), k: 1 + rng.int(Math.min(h, w, 5)), s: 1 + rng.int(3),
      padding: pick(['same', 'valid'] as const), filters: 1 + rng.int(5), bias: rng.next() < 0.5, act: pick(ACTS), batch: 1 + rng.int(4),
    };
  });
}

/** reshape → 1×1 conv (so the tested layer's input gradient reaches a weight) → tested layer → flatten → softmax. */
function imageModel(h: number, w: number, c: number, tested: tf.layers.Layer): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [h * w * c], targetShape: [h, w, c] }),
      tf.layers.conv2d({ kernelSize: 1, filters: c, padding: 'valid' }),
      tested,
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** dense 7 → tested layer → dense softmax. */
function denseModel(tested: () => tf.layers.Layer): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [7], units: 6, activation: 'linear' }), tested(), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
}

interface PoolCase {
  kind: 'max' | 'avg';
  h: number;
  w: number;
  c: number;
  pool: [number, number];
  strides: [number, number];
  padding: 'same' | 'valid';
  batch: number;
}

function randomPoolCases(seed: number, count: number): PoolCase[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const h = 3 + rng.int(8);
    const w = 3 + rng.int(8);
    return {
      kind: i % 2 === 0 ? 'max' : 'avg',
      h, w, c: 1 + rng.int(3),
      pool: [1 + rng.int(Math.min(h, 3)), 1 + rng.int(Math.min(w, 3))],
      strides: [1 + rng.int(3), 1 + rng.int(3)],
      padding: rng.next() < 0.5 ? 'same' : 'valid',
      batch: 1 + rng.int(3),
    };
  });
}

describeNative('native layers vs TF.js cpu', () => {
  const convCases = [...FIXED_CONV_CASES, ...randomConvCases(7, 6)];
  it.each(convCases.map((c, i) => [i, c] as const))('conv2d case %i %j', (i, t) => {
    const conv = tf.layers.conv2d({ kernelSize: t.k, strides: t.s, padding: t.padding, filters: t.filters, useBias: t.bias, activation: t.act });
    checkAgainstTfjs(seededBuild(100 + i, () => imageModel(t.h, t.w, t.c, conv)), t.batch, 1000 + i);
  });

  it.each([
    ['linear', true, 1],
    ['relu', true, 4],
    ['sigmoid', false, 3],
    ['tanh', true, 2],
    ['relu', false, 2],
  ] as const)('dense %s bias=%s batch %i', (act, bias, batch) => {
    checkAgainstTfjs(seededBuild(200, () => denseModel(() => tf.layers.dense({ units: 5, activation: act, useBias: bias }))), batch, 3);
  });

  it.each([
    [true, false, 0.99, 1e-3],
    [true, true, 0.993, 1e-5],
    [false, true, 0.9, 1e-3],
    [false, false, 0.5, 1e-2],
  ] as const)('batch norm on dense features, center=%s scale=%s momentum %s epsilon %s', (center, scale, momentum, epsilon) => {
    checkAgainstTfjs(seededBuild(300, () => denseModel(() => batchNormalization({ center, scale, momentum, epsilon }))), 5, 4);
  });

  it.each([
    [true, false, 1],
    [true, true, 3],
    [false, true, 2],
  ] as const)('batch norm on conv features (NHWC channels), center=%s scale=%s batch %i', (center, scale, batch) => {
    const model = seededBuild(400, () =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [5 * 6 * 2], targetShape: [5, 6, 2] }),
          tf.layers.conv2d({ kernelSize: 3, filters: 3, padding: 'same', useBias: false }),
          batchNormalization({ center, scale, momentum: 0.993, epsilon: 1e-5 }),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    );
    checkAgainstTfjs(model, batch, 5);
  });

  it.each(ACTS)('batch norm and the activation layer %s after it, fused: 12 channels, rows in whole blocks and a tail, shared across threads', (act) => {
    // 15 × 13 × 15 = 2,925 rows (not a multiple of the 4-row blocks of 12 channels), 35,100 values: over the size at
    // which a pass is split across the OpenMP team.
    const model = seededBuild(450, () =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [15 * 13 * 3], targetShape: [15, 13, 3] }),
          tf.layers.conv2d({ kernelSize: 3, filters: 12, padding: 'same', useBias: false }),
          batchNormalization({ center: true, scale: true, momentum: 0.9, epsilon: 1e-3 }),
          tf.layers.activation({ activation: act }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    );
    checkAgainstTfjs(model, 15, 13);
  });

  it.each(['relu', 'sigmoid'] as const)('batch norm on dense features and the activation layer %s after it, fused', (act) => {
    checkAgainstTfjs(
      seededBuild(460, () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [7], units: 5, useBias: false }),
            batchNormalization({ center: true, scale: false }),
            tf.layers.activation({ activation: act }),
            tf.layers.dense({ units: 10, activation: 'softmax' }),
          ],
        }),
      ),
      6,
      14,
    );
  });

  it.each(['relu', 'sigmoid', 'tanh', 'linear'] as const)('activation layer %s', (act) => {
    checkAgainstTfjs(seededBuild(500, () => denseModel(() => tf.layers.activation({ activation: act }))), 4, 6);
  });

  it('dropout with the native mask (same seed, same mask as the reference applies)', () => {
    checkAgainstTfjs(seededBuild(600, () => denseModel(() => tf.layers.dropout({ rate: 0.4 }))), 6, 7);
  });

  it.each(['relu', 'tanh'] as const)('an activation layer %s after a linear conv, fused into it', (act) => {
    checkAgainstTfjs(seededBuild(650, () => imageModel(6, 5, 3, tf.layers.activation({ activation: act }))), 3, 15);
  });

  const poolCases = randomPoolCases(8, 12);
  it.each(poolCases.map((c, i) => [i, c] as const))('pooling case %i %j', (i, t) => {
    const args = { poolSize: t.pool, strides: t.strides, padding: t.padding };
    const pool = t.kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
    checkAgainstTfjs(seededBuild(700 + i, () => imageModel(t.h, t.w, t.c, pool)), t.batch, 2000 + i);
  });

  it('average pooling with same padding divides by the in-bounds count only, as TF does', () => {
    const pool = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' });
    checkAgainstTfjs(seededBuild(750, () => imageModel(6, 5, 2, pool)), 2, 21);
  });

  it.each([
    ['a 3×3 conv to 10 channels', () => tf.layers.conv2d({ kernelSize: 3, filters: 10, padding: 'same', activation: 'relu' })],
    ['a 1×1 conv to 10 channels, no bias', () => tf.layers.conv2d({ kernelSize: 1, filters: 10, useBias: false })],
  ] as const)('global average pooling head: %s → GAP → Activation(softmax)', (_, conv) => {
    const model = seededBuild(800, () =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [6 * 7 * 2], targetShape: [6, 7, 2] }),
          tf.layers.conv2d({ kernelSize: 3, filters: 4, padding: 'same', activation: 'tanh' }),
          conv(),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.activation({ activation: 'softmax' }),
        ],
      }),
    );
    checkAgainstTfjs(model, 3, 9);
  });

  it('Activation(softmax) after a relu dense layer (the relu backward still sees its own output)', () => {
    checkAgainstTfjs(
      seededBuild(900, () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [7], units: 6, activation: 'tanh' }),
            tf.layers.dense({ units: 10, activation: 'relu' }),
            tf.layers.activation({ activation: 'softmax' }),
          ],
        }),
      ),
      5,
      10,
    );
  });

  it.each([0.1, 0.3])('label smoothing %s (Keras: y·(1 - ls) + ls/K)', (labelSmoothing) => {
    checkAgainstTfjs(seededBuild(1000, () => denseModel(() => tf.layers.dense({ units: 8, activation: 'relu' }))), 6, 11, { labelSmoothing });
  });

  it('saturated probabilities: the gradient through the loss clipping is TF.js\'s (clipped classes pass none)', () => {
    // Inputs × 40 push some probabilities below 1e-7 and some above 1 - 1e-7; with smoothing those classes have
    // targets, so dropping their gradient matters.
    const model = seededBuild(1100, () => denseModel(() => tf.layers.dense({ units: 8, activation: 'linear' })));
    const probabilities = checkAgainstTfjs(model, 6, 12, { labelSmoothing: 0.2, inputScale: 40 });
    expect(Math.min(...probabilities), 'some probability is clipped').toBeLessThan(1e-7);
  });
});
