// The TF.js backend 'native': TF.js's CPU backend with MatMul, Conv2D (plain, fused and both gradients), inference
// batch norm, Relu, Sigmoid and Tanh native; every other kernel is the CPU one, so anything TF.js can run still runs.
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { LabError } from '../../errors.js';
import { type ConvGeometry, type ConvKernelAttrs, convKernelGeometry, windowsFit } from '../conv-geometry.js';
import { ENABLE_HINT, type NativeActivation, type NativeAddon, loadAddon, setNativeThreads } from './addon.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Attrs = Record<string, unknown>;

/** TF.js's CPU backend under another name; data storage and fallback kernels are inherited unchanged. */
class NativeBackend extends MathBackendCPU {}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

function floats(backend: NativeBackend, t: tf.TensorInfo): Float32Array {
  return backend.readSync(t.dataId) as Float32Array;
}

/** The fused activation if oneDNN runs it here; null means: let the CPU kernel do it. */
function nativeActivation(name: unknown): NativeActivation | null {
  if (name === undefined || name === null || name === 'linear') return 'linear';
  return name === 'relu' || name === 'sigmoid' || name === 'tanh' ? name : null;
}

function cpuKernel(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const kernel = tf.getKernel(name, 'cpu');
  if (!kernel) throw new LabError('NATIVE_FAILURE', `TF.js has no cpu kernel ${name} to fall back to`);
  return kernel.kernelFunc(args);
}

function matMulKernel(addon: NativeAddon, name: string, fused: boolean): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as NativeBackend;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as Attrs;
    const act = fused ? nativeActivation(attrs['activation']) : 'linear';
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || act === null || preluActivationWeights) return cpuKernel(name, args);
    const transA = Boolean(attrs['transposeA']);
    const transB = Boolean(attrs['transposeB']);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const [m, kA] = transA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
    const [kB, n] = transB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = product(batchShapeA);
    const batchB = product(batchShapeB);
    const sameBatch = batchShapeA.join(',') === batchShapeB.join(',');
    const biasOk = !bias || (bias.dtype === 'float32' && product(bias.shape) === n && bias.shape[bias.shape.length - 1] === n);
    if (kA !== kB || !biasOk || (!sameBatch && batchA !== 1 && batchB !== 1)) return cpuKernel(name, args);
    const outShape = [...tf.backend_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB), m, n];
    const out = new Float32Array(product(outShape));
    const biasValues = bias ? floats(backend, bias) : null;
    const shape = { batchA, batchB, m, k: kA, n, transposeA: transA, transposeB: transB };
    addon.matmul(floats(backend, a), floats(backend, b), out, shape, biasValues, act);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** The conv's geometry when the native kernels cover it (NHWC, no dilation, windows oneDNN accepts), else null. */
function nativeConvGeometry(xShape: number[], filterShape: number[], attrs: Attrs): ConvGeometry | null {
  const geometry = convKernelGeometry(xShape, filterShape, attrs as unknown as ConvKernelAttrs);
  return geometry && windowsFit(geometry) ? geometry : null;
}

function convKernel(addon: NativeAddon, name: string, fused: boolean): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as NativeBackend;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as Attrs;
    const act = fused ? nativeActivation(attrs['activation']) : 'linear';
    if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || act === null || preluActivationWeights) {
      return cpuKernel(name, args);
    }
    const geometry = nativeConvGeometry(x.shape, filter.shape, attrs);
    if (!geometry || (bias && (bias.dtype !== 'float32' || product(bias.shape) !== geometry.outChannels))) return cpuKernel(name, args);
    const outShape = [geometry.batchSize, geometry.outHeight, geometry.outWidth, geometry.outChannels];
    const out = new Float32Array(product(outShape));
    addon.conv2d(floats(backend, x), floats(backend, filter), out, geometry, bias ? floats(backend, bias) : null, act);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/**
 * A conv gradient kernel: its two inputs (in the addon's order), the attr holding the gradient's shape, which of
 * them give the forward conv's input and filter shapes, and the addon call.
 */
function convGradientKernel(
  name: string,
  inputs: [string, string],
  outShapeAttr: 'inputShape' | 'filterShape',
  run: (first: Float32Array, second: Float32Array, out: Float32Array, geometry: ConvGeometry) => void,
): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as NativeBackend;
    const [first, second] = inputs.map((input) => (args.inputs as Record<string, tf.TensorInfo>)[input]);
    const attrs = args.attrs as Attrs;
    const outShape = attrs[outShapeAttr] as number[];
    // Input gradient: (dy, filter) → the conv's x has outShape; filter gradient: (x, dy) → its filter does.
    const [xShape, filterShape] = outShapeAttr === 'inputShape' ? [outShape, second.shape] : [first.shape, outShape];
    const geometry = first.dtype === 'float32' && second.dtype === 'float32' ? nativeConvGeometry(xShape, filterShape, attrs) : null;
    if (!geometry) return cpuKernel(name, args);
    const out = new Float32Array(product(outShape));
    run(floats(backend, first), floats(backend, second), out, geometry);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

function batchNormKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as NativeBackend;
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const channels = x?.shape[x.shape.length - 1] ?? 0;
    const perChannel = (t: tf.TensorInfo | undefined): boolean => !t || (t.dtype === 'float32' && product(t.shape) === channels);
    const supported = x && mean && variance && x.dtype === 'float32' && channels > 0 && [mean, variance, offset, scale].every(perChannel);
    if (!supported) return cpuKernel(tf.FusedBatchNorm, args);
    const out = new Float32Array(product(x.shape));
    const epsilon = (args.attrs as Attrs)['varianceEpsilon'] as number;
    addon.batchNorm(
      floats(backend, x), out, { rows: product(x.shape) / channels, channels, epsilon }, floats(backend, mean), floats(backend, variance),
      offset ? floats(backend, offset) : null, scale ? floats(backend, scale) : null,
    );
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

function activationKernel(addon: NativeAddon, name: string, act: NativeActivation): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as NativeBackend;
    const { x } = args.inputs as Record<string, tf.TensorInfo>;
    if (x.dtype !== 'float32') return cpuKernel(name, args);
    const out = new Float32Array(product(x.shape));
    addon.activation(floats(backend, x), out, act);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

function nativeKernels(addon: NativeAddon): tf.KernelConfig[] {
  const kernels: [string, tf.KernelFunc][] = [
    [tf.BatchMatMul, matMulKernel(addon, tf.BatchMatMul, false)],
    [tf._FusedMatMul, matMulKernel(addon, tf._FusedMatMul, true)],
    [tf.Conv2D, convKernel(addon, tf.Conv2D, false)],
    [tf.FusedConv2D, convKernel(addon, tf.FusedConv2D, true)],
    [tf.Conv2DBackpropInput, convGradientKernel(tf.Conv2DBackpropInput, ['dy', 'filter'], 'inputShape', (...a) => addon.conv2dBackpropInput(...a))],
    [tf.Conv2DBackpropFilter, convGradientKernel(tf.Conv2DBackpropFilter, ['x', 'dy'], 'filterShape', (...a) => addon.conv2dBackpropFilter(...a))],
    [tf.FusedBatchNorm, batchNormKernel(addon)],
    [tf.Relu, activationKernel(addon, tf.Relu, 'relu')],
    [tf.Sigmoid, activationKernel(addon, tf.Sigmoid, 'sigmoid')],
    [tf.Tanh, activationKernel(addon, tf.Tanh, 'tanh')],
  ];
  return kernels.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: 'native', kernelFunc }));
}

/**
 * Registers the TF.js backend 'native' (once) and makes it active. Throws LabError NATIVE_FAILURE when the addon
 * is not built or cannot load, BAD_ARGUMENT for a bad thread count.
 */
export async function registerNativeBackend(
  opts: { threads?: number } = {},
): Promise<{ name: 'native'; threads: number; onednnVersion: string }> {
  const loaded = loadAddon();
  if (!('addon' in loaded)) throw new LabError('NATIVE_FAILURE', loaded.reason, { hint: ENABLE_HINT });
  const { addon } = loaded;
  setNativeThreads(addon, opts.threads);
  if (!tf.findBackendFactory('native')) {
    const overrides = nativeKernels(addon);
    const overridden = new Set(overrides.map((k) => k.kernelName));
    for (const config of tf.getKernelsForBackend('cpu')) {
      if (!overridden.has(config.kernelName)) tf.registerKernel({ ...config, backendName: 'native' });
    }
    overrides.forEach((k) => tf.registerKernel(k));
    tf.registerBackend('native', () => new NativeBackend(), 3);
  }
  if (!(await tf.setBackend('native'))) {
    throw new LabError('NATIVE_FAILURE', 'TF.js could not initialise the native backend', { hint: ENABLE_HINT });
  }
  const info = addon.info();
  return { name: 'native', threads: info.threads, onednnVersion: info.onednnVersion };
}
