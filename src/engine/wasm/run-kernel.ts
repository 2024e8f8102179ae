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
