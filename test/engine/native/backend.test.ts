// The TF.js 'native' backend: oneDNN MatMul / Conv2D kernels (plain, fused, gradients) against the cpu backend on random
// shapes, fallbacks for what they do not cover, model inference and a TF.js training step, and its errors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { loadAddon } from '../../../src/engine/native/addon.js';
import { registerNativeBackend } from '../../../src/engine/native/backend.js';
import { nativeStatus } from '../../../src/engine/native/index.js';
import { stepModel } from '../../helpers/steps.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/allclose.js';
import { describeNative, nativeAddon, randomFloats } from '../../helpers/native-reference.js';

/** Runs f on the given backend and returns its output values. */
async function on(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => f().dataSync() as Float32Array);
}

async function expectSameOnBothBackends(f: () => tf.Tensor, atol = 1e-5, rtol = 1e-4): Promise<void> {
  const native = await on('native', f);
  const cpu = await on('cpu', f);
  expectAllClose(native, cpu, atol, rtol);
}

/** A random conv case: NHWC input of minSide to minSide + sides - 1 pixels a side, a square kernel, stride 1-3, same or valid. */
function randomConv(rng: Rng, minSide: number, sides: number, kernels: number) {
  const [n, h, w, c] = [1 + rng.int(3), minSide + rng.int(sides), minSide + rng.int(sides), 1 + rng.int(4)];
  const k = 1 + rng.int(Math.min(h, w, kernels));
  const stride = 1 + rng.int(3);
  const padding = rng.next() < 0.5 ? ('same' as const) : ('valid' as const);
  const oc = 1 + rng.int(6);
  const x = randomFloats(rng, n * h * w * c, -1, 1);
  const filter = randomFloats(rng, k * k * c * oc, -1, 1);
  return {
    stride,
    padding,
    oc,
    xs: (): tf.Tensor4D => tf.tensor4d(x, [n, h, w, c]),
    fs: (): tf.Tensor4D => tf.tensor4d(filter, [k, k, c, oc]),
  };
}

describeNative('TF.js native backend', () => {
  beforeAll(async () => {
    const registered = await registerNativeBackend();
    expect(registered).toEqual({ name: 'native', threads: expect.any(Number), onednnVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(tf.getBackend()).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('nativeStatus reports oneDNN, threads and CPU features', () => {
    const status = nativeStatus();
    expect(status).toMatchObject({ ok: true, onednnVersion: expect.stringMatching(/^\d+\.\d+/) });
    if (status.ok) {
      expect(status.threads).toBeGreaterThanOrEqual(1);
      expect(status.cpuFeatures.some((f) => f.startsWith('onednn-isa:'))).toBe(true);
    }
  });

  it('conv2d and fused conv2d match cpu on random shapes (strides 1-3, same/valid, odd sizes, batch 1)', async () => {
    const rng = new Rng(21);
    for (let i = 0; i < 12; i++) {
      const { xs, fs, stride, padding, oc } = randomConv(rng, 3, 10, 5);
      const activation = (['linear', 'relu', 'sigmoid'] as const)[rng.int(3)];
      const bias = randomFloats(rng, oc, -1, 1);
      await expectSameOnBothBackends(() => tf.conv2d(xs(), fs(), stride, padding));
      await expectSameOnBothBackends(() => tf.fused.conv2d({ x: xs(), filter: fs(), strides: stride, pad: padding, bias: tf.tensor1d(bias), activation }));
    }
  });

  it('conv2d gradients (input and filter) match cpu on random shapes, through the native kernels', async () => {
    const loaded = loadAddon();
    if (!('addon' in loaded)) throw new Error(loaded.reason);
    const inputGrad = vi.spyOn(loaded.addon, 'conv2dBackpropInput');
    const filterGrad = vi.spyOn(loaded.addon, 'conv2dBackpropFilter');
    const rng = new Rng(27);
    for (let i = 0; i < 10; i++) {
      const { xs, fs, stride, padding } = randomConv(rng, 4, 12, 6);
      const shape = tf.tidy(() => tf.conv2d(xs(), fs(), stride, padding).shape);
      const weights = randomFloats(rng, shape.reduce((a, b) => a * b, 1), -1, 1);
      // d/dx and d/dfilter of sum(conv2d(x, filter) · r), r random so every output position counts differently.
      const grads = (which: 0 | 1) => () => {
        const [dx, dFilter] = tf.grads((xs: tf.Tensor, fs: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, stride, padding), tf.tensor(weights, shape))),
        )([xs(), fs()]);
        return which === 0 ? dx : dFilter;
      };
      await expectSameOnBothBackends(grads(0), 1e-4, 1e-4);
      await expectSameOnBothBackends(grads(1), 1e-4, 1e-4);
    }
    expect(inputGrad).toHaveBeenCalled();
    expect(filterGrad).toHaveBeenCalled();
    inputGrad.mockRestore();
    filterGrad.mockRestore();
  });

  it('matMul and fused matMul match cpu with transposes, batches, broadcasting and bias', async () => {
    const rng = new Rng(22);
    const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
      { a: [5, 7], b: [7, 3], ta: false, tb: false },
      { a: [7, 5], b: [7, 3], ta: true, tb: false },
      { a: [5, 7], b: [3, 7], ta: false, tb: true },
      { a: [7, 5], b: [3, 7], ta: true, tb: true },
      { a: [4, 5, 7], b: [4, 7, 3], ta: false, tb: false },
      { a: [1, 5, 7], b: [4, 7, 3], ta: false, tb: false },
      { a: [2, 3, 5, 7], b: [7, 3], ta: false, tb: false },
      { a: [1, 1], b: [1, 9], ta: false, tb: false },
    ];
    for (const t of cases) {
      const a = randomFloats(rng, t.a.reduce((p, d) => p * d, 1), -1, 1);
      const b = randomFloats(rng, t.b.reduce((p, d) => p * d, 1), -1, 1);
      const n = t.tb ? t.b[t.b.length - 2] : t.b[t.b.length - 1];
      const bias = randomFloats(rng, n, -1, 1);
      await expectSameOnBothBackends(() => tf.matMul(tf.tensor(a, t.a), tf.tensor(b, t.b), t.ta, t.tb));
      await expectSameOnBothBackends(() =>
        tf.fused.matMul({ a: tf.tensor(a, t.a), b: tf.tensor(b, t.b), transposeA: t.ta, transposeB: t.tb, bias: tf.tensor1d(bias), activation: 'relu' }),
      );
    }
  });

  it('inference batch norm, relu, sigmoid and tanh match cpu (per-channel params, with and without offset/scale)', async () => {
    const rng = new Rng(27);
    const x = randomFloats(rng, 2 * 5 * 3 * 4, -2, 2);
    const [mean, offset, scale] = [0, 1, 2].map(() => randomFloats(rng, 4, -1, 1));
    const variance = randomFloats(rng, 4, 0.1, 2);
    const xs = (): tf.Tensor4D => tf.tensor4d(x, [2, 5, 3, 4]);
    await expectSameOnBothBackends(() => tf.batchNorm(xs(), tf.tensor1d(mean), tf.tensor1d(variance), tf.tensor1d(offset), tf.tensor1d(scale), 1e-3));
    await expectSameOnBothBackends(() => tf.batchNorm(xs(), tf.tensor1d(mean), tf.tensor1d(variance), undefined, undefined, 1e-5));
    await expectSameOnBothBackends(() => tf.batchNorm(tf.tensor2d(x, [6, 20]), tf.tensor2d(x.slice(0, 120), [6, 20]), tf.fill([6, 20], 0.5)));
    await expectSameOnBothBackends(() => tf.relu(xs()));
    await expectSameOnBothBackends(() => tf.sigmoid(xs()));
    await expectSameOnBothBackends(() => tf.tanh(xs()));
  });

  it('falls back to the cpu kernels for what the native ones do not cover (prelu, elu, dilation, int32), and runs explicit padding', async () => {
    const rng = new Rng(23);
    const x = randomFloats(rng, 2 * 9 * 9 * 2, -1, 1);
    const filter = randomFloats(rng, 3 * 3 * 2 * 3, -1, 1);
    const xs = (): tf.Tensor4D => tf.tensor4d(x, [2, 9, 9, 2]);
    const fs = (): tf.Tensor4D => tf.tensor4d(filter, [3, 3, 2, 3]);
    await expectSameOnBothBackends(() => tf.conv2d(xs(), fs(), 1, 'same', 'NHWC', 2));
    await expectSameOnBothBackends(() => tf.conv2d(xs(), fs(), 1, [[0, 0], [1, 2], [2, 1], [0, 0]]));
    await expectSameOnBothBackends(() =>
      tf.fused.conv2d({ x: xs(), filter: fs(), strides: 1, pad: 'same', activation: 'prelu', preluActivationWeights: tf.scalar(0.2) }),
    );
    await expectSameOnBothBackends(() => tf.fused.conv2d({ x: xs(), filter: fs(), strides: 2, pad: 'valid', activation: 'elu' }));
    await expectSameOnBothBackends(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32')).toFloat());
  });

  it('10-conv-bn inference equals cpu, and a TF.js training step on the native backend equals cpu', async () => {
    const model = await stepModel('10-conv-bn');
    const rng = new Rng(25);
    const x = randomFloats(rng, 3 * 784);
    await expectSameOnBothBackends(() => model.predict(tf.tensor2d(x, [3, 784])) as tf.Tensor, 1e-6, 1e-4);

    const dense = await stepModel('03-relu-adam');
    const initial = dense.getWeights().map((w) => w.clone());
    const labels = tf.oneHot(tf.tensor1d([1, 7, 3], 'int32'), 10);
    const trainOn = async (backend: string): Promise<Float32Array> => {
      dense.setWeights(initial);
      await tf.setBackend(backend);
      const optimizer = tf.train.sgd(0.1); // SGD: Adam's first step is ~lr·sign(g), which amplifies rounding
      optimizer.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(labels, dense.apply(tf.tensor2d(x, [3, 784])) as tf.Tensor)) as tf.Scalar);
      optimizer.dispose();
      return dense.getWeights()[0].dataSync() as Float32Array;
    };
    expectAllClose(await trainOn('native'), await trainOn('cpu'), 1e-6, 1e-4);
    initial.forEach((t) => t.dispose());
    labels.dispose();
    model.dispose();
    dense.dispose();
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('native');
    const a = tf.ones([4, 6]);
    const b = tf.ones([6, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      tf.tidy(() => {
        tf.fused.matMul({ a, b, bias: tf.ones([3]), activation: 'relu' });
        tf.conv2d(tf.ones([1, 5, 5, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 2]) as tf.Tensor4D, 2, 'same');
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });

  it('the addon kernels reject bad geometry and shapes with an Error naming the call, never a crash', () => {
    const addon = nativeAddon();
    const geometry = {
      batchSize: 1, inHeight: 5, inWidth: 5, inChannels: 1, filterHeight: 3, filterWidth: 3, outChannels: 1,
      strideHeight: 1, strideWidth: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, outHeight: 3, outWidth: 3,
    };
    const [x, filter, out] = [new Float32Array(25), new Float32Array(9), new Float32Array(9)];
    expect(() => addon.conv2d(x, filter, out, geometry, null, 'relu')).not.toThrow();
    expect(() => addon.conv2d(x, filter, out, { ...geometry, outHeight: 9 }, null, 'linear')).toThrow(/native Conv2D: conv2d: inconsistent geometry/);
    const { padTop: _, ...missing } = geometry;
    expect(() => addon.conv2d(x, filter, out, missing as typeof geometry, null, 'linear')).toThrow(/native Conv2D: geometry.padTop must be a number/);
    expect(() => addon.conv2dBackpropInput(new Float32Array(8), filter, x, geometry)).toThrow(/dy has 8 elements; needs 9/);
    const shape = { batchA: 1, batchB: 1, m: 2, k: 3, n: 2, transposeA: false, transposeB: false };
    expect(() => addon.matmul(new Float32Array(6), new Float32Array(6), new Float32Array(4), shape, null, 'elu' as 'relu')).toThrow(
      /native MatMul: unsupported activation 'elu'/,
    );
    expect(() => addon.matmul(new Float32Array(6), new Float32Array(6), new Float32Array(4), { ...shape, m: 1.5 }, null, 'linear')).toThrow(/shape.m must be an integer/);
  });

  it('rejects a bad thread count with a LabError naming the argument', async () => {
    await expect(registerNativeBackend({ threads: 0 })).rejects.toThrow(/threads must be a positive integer; got 0/);
  });
});
