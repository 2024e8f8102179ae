// Calls another wasm kernel directly on TensorInfos, frees the temporaries a composite kernel makes, and gives
// the gradient kernels the forward convolution's geometry.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type ConvGeometry, type ConvKernelAttrs, convKernelGeometry } from '../conv-geometry.js';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

export function runKernel(name: string, backend: KernelArgs['backend'], inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/** Runs `body` with a `keep` that records temporaries, then disposes them all (the result is not recorded). */
export function withTemporaries<T>(backend: KernelArgs['backend'], body: (keep: (t: tf.TensorInfo) => tf.TensorInfo) => T): T {
  const temporaries: tf.TensorInfo[] = [];
  try {
    return body((t) => {
      temporaries.push(t);
      return t;
    });
  } finally {
    for (const t of temporaries) (backend as BackendWasm).disposeData(t.dataId);
  }
}

/** The forward convolution's geometry that a gradient kernel inverts; these kernels handle NHWC without dilation. */
export function channelsLastGeometry(
  kernel: string,
  inShape: number[],
  filterShape: number[],
  attrs: Pick<tf.Conv2DBackpropInputAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): ConvGeometry {
  const geometry = convKernelGeometry(inShape, filterShape, attrs as ConvKernelAttrs);
  if (!geometry) throw new Error(`wasm ${kernel} supports channelsLast only; got ${attrs.dataFormat}`);
  return geometry;
}
