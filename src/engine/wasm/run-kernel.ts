// Calls another wasm kernel directly on TensorInfos, and frees the temporaries a composite kernel makes.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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

/** The forward convolution's geometry that a gradient kernel inverts; these kernels handle NHWC only. */
export function channelsLastConvInfo(
  kernel: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Pick<tf.Conv2DBackpropInputAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm ${kernel} supports channelsLast only; got ${dataFormat}`);
  return info;
}
