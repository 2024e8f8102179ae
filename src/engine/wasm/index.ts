// Registers mnist-lab's kernels on the TF.js wasm backend: the ones it lacks for CNN training and faster replacements.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm } from './conv2d-backprop-input.js';

const KERNELS: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm },
];

/** Kernels the wasm backend has, but slowly: ours replace them. */
const REPLACEMENTS: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInputWasm },
];

/** Adds each kernel the wasm backend lacks and swaps in the faster ones; calling it again is harmless. */
export function registerWasmKernels(): void {
  for (const config of KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  for (const config of REPLACEMENTS) {
    if (tf.getKernel(config.kernelName, config.backendName)?.kernelFunc === config.kernelFunc) continue;
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
