// Our wasm Conv2DBackpropFilter and Conv2DBackpropInput kernels against TF.js's cpu kernels on strided, padded, odd-sized and batch-1 shapes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropFilterWasm } from '../../../src/engine/wasm/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm } from '../../../src/engine/wasm/conv2d-backprop-input.js';
import { registerWasmKernels } from '../../../src/engine/wasm/index.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/allclose.js';

interface Case {
  input: [number, number, number, number];
  kernel: [number, number];
  outChannels: number;
  strides: [number, number];
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { input: [1, 5, 5, 1], kernel: [3, 3], outChannels: 2, strides: [1, 1], pad: 'same' },
  { input: [2, 7, 7, 3], kernel: [3, 3], outChannels: 4, strides: [2, 2], pad: 'same' },
  { input: [2, 8, 8, 2], kernel: [3, 3], outChannels: 3, strides: [2, 2], pad: 'valid' },
  { input: [1, 9, 7, 2], kernel: [4, 4], outChannels: 3, strides: [3, 3], pad: 'same' },
  { input: [3, 10, 11, 4], kernel: [5, 3], outChannels: 2, strides: [3, 2], pad: 'valid' },
  { input: [1, 6, 9, 1], kernel: [2, 3], outChannels: 1, strides: [1, 3], pad: 'same' },
  { input: [2, 6, 6, 3], kernel: [1, 1], outChannels: 2, strides: [2, 2], pad: 'valid' },
  { input: [2, 28, 28, 12], kernel: [6, 6], outChannels: 24, strides: [2, 2], pad: 'same' },
];

function randomArray(size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: size }, () => rng.next() * 2 - 1);
}

/** Gradients of Σ conv2d(x, filter) · weights: exactly Conv2DBackpropInput/Filter with dy = weights. */
function convGradients(c: Case, x: Float32Array, filter: Float32Array, weights: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const xs = tf.tensor4d(x, c.input);
    const f = tf.tensor4d(filter, [...c.kernel, c.input[3], c.outChannels]);
    const loss = (input: tf.Tensor, w: tf.Tensor) => {
      const y = tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(weights.subarray(0, y.size), y.shape)));
    };
    return tf.grads(loss)([xs, f]).map((g) => g.dataSync() as Float32Array);
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmKernels();
});

describe('wasm convolution gradients', () => {
  it('are registered, and registering twice is harmless', () => {
    const registered = () => ['Conv2DBackpropFilter', 'Conv2DBackpropInput'].map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    expect(registered()).toEqual([conv2DBackpropFilterWasm, conv2DBackpropInputWasm]);
    registerWasmKernels();
    expect(registered()).toEqual([conv2DBackpropFilterWasm, conv2DBackpropInputWasm]);
  });

  for (const c of CASES) {
    it(`matches cpu for x ${c.input.join('x')}, kernel ${c.kernel.join('x')}, strides ${c.strides}, ${c.pad}`, async () => {
      const rng = new Rng(c.input.reduce((a, b) => a * 31 + b, 7));
      const x = randomArray(c.input.reduce((a, b) => a * b, 1), rng);
      const filter = randomArray(c.kernel[0] * c.kernel[1] * c.input[3] * c.outChannels, rng);
      const weights = randomArray(c.input.reduce((a, b) => a * b, 1) * c.outChannels, rng);
      await tf.setBackend('cpu');
      const [dxCpu, dFilterCpu] = convGradients(c, x, filter, weights);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const [dx, dFilter] = convGradients(c, x, filter, weights);
      expect(tf.memory().numTensors).toBe(before);
      expectAllClose(dFilter, dFilterCpu, 1e-4, 1e-4);
      expectAllClose(dx, dxCpu, 1e-4, 1e-4);
    });
  }
});
