// Loads the compiled oneDNN addon (build/Release/mnist_native.node) once and describes its raw surface.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { badArgument } from '../../errors.js';
import { packageRoot } from '../../util/package-root.js';
import type { ConvGeometry, WindowGeometry } from '../conv-geometry.js';
import type { NativeOptimizerSpec } from '../types.js';

/** The activations the native layers apply (softmax is the head's: the loss or the predictor). */
export type NativeActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

/** One layer of the compiled network as the C++ side parses it (inFeatures: per sample, checked along the chain). */
export type LayerSpec =
  | { kind: 'conv'; inFeatures: number; activation: NativeActivation; bias: boolean; geometry: WindowGeometry }
  | { kind: 'dense'; inFeatures: number; activation: NativeActivation; bias: boolean; units: number }
  | { kind: 'maxPool' | 'avgPool'; inFeatures: number; geometry: WindowGeometry }
  | { kind: 'globalAvgPool'; inFeatures: number; height: number; width: number; channels: number }
  | { kind: 'batchNorm'; inFeatures: number; channels: number; momentum: number; epsilon: number; center: boolean; scale: boolean }
  | { kind: 'activation'; inFeatures: number; activation: NativeActivation }
  | { kind: 'dropout'; inFeatures: number; rate: number; /** the model layer index: each dropout layer draws its own mask */ salt: number };

export interface WeightInfo {
  /** Index into the spec's layers. */
  layer: number;
  role: 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';
  shape: number[];
  trainable: boolean;
}

/** The weights of a compiled network, by index in weightInfo() order. */
export interface RawWeights {
  weightInfo(): WeightInfo[];
  setWeight(index: number, data: Float32Array): void;
  dispose(): void;
}

export interface RawTrainer extends RawWeights {
  step(xs: Float32Array, labels: Uint8Array, count: number, lr: number, seed: number): { loss: number; accuracy: number };
  evaluate(xs: Float32Array, labels: Uint8Array, count: number, probabilities: Float32Array): { loss: number; accuracy: number };
  getWeight(index: number): Float32Array;
  /** The gradient of a trainable weight from the last step (before the update). */
  getGradient(index: number): Float32Array;
  /** The optimizer's slot names in TF.js's getWeights() order, e.g. ['m', 'v'] for Adam. */
  slotNames(): string[];
  getSlot(index: number, slot: string): Float32Array;
  setSlot(index: number, slot: string, data: Float32Array): void;
  getOptimizerStep(): number;
  setOptimizerStep(step: number): void;
}

export interface RawPredictor extends RawWeights {
  probabilities(images: Float32Array, count: number, out: Float32Array): void;
}

export interface MatMulShape {
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

export interface NativeAddon {
  Trainer: new (spec: { layers: LayerSpec[]; batchSize: number; labelSmoothing: number; optimizer: NativeOptimizerSpec }) => RawTrainer;
  Predictor: new (spec: { layers: LayerSpec[]; maxBatch: number }) => RawPredictor;
  /** out[batch, m, n] = op(a) op(b) (+ bias[n]) then act; a batch of 1 broadcasts. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, shape: MatMulShape, bias: Float32Array | null, act: NativeActivation): void;
  /** NHWC conv with an HWIO kernel. */
  conv2d(x: Float32Array, kernel: Float32Array, out: Float32Array, geometry: ConvGeometry, bias: Float32Array | null, act: NativeActivation): void;
  /** dx of a conv2d from dy and the HWIO kernel. */
  conv2dBackpropInput(dy: Float32Array, kernel: Float32Array, dx: Float32Array, geometry: ConvGeometry): void;
  /** The HWIO kernel's gradient of a conv2d from its input x and dy. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dKernel: Float32Array, geometry: ConvGeometry): void;
  /** Inference batch norm over the last axis: out = (x - mean) / sqrt(variance + epsilon) * scale + offset. */
  batchNorm(
    x: Float32Array,
    out: Float32Array,
    shape: { rows: number; channels: number; epsilon: number },
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
  ): void;
  /** out = act(x) elementwise. */
  activation(x: Float32Array, out: Float32Array, act: NativeActivation): void;
  info(): { onednnVersion: string; threads: number; cpuFeatures: string[] };
  setThreads(threads: number): number;
  /** The keep mask (1 kept, 0 dropped) that the dropout layer at model.layers[salt] draws for `seed`. */
  dropoutMask(seed: number, salt: number, count: number, rate: number): Float32Array;
  /** How many times a pool had FTZ/DAZ set: once per pool size reached, never per call. */
  denormalPoolFlushes(): number;
  /** A full V8 collection, then the C allocator's free pages back to the system (glibc malloc_trim); whether any were. */
  releaseFreeMemory(): boolean;
}

export const ENABLE_HINT =
  'to enable the native engine run `bash scripts/setup.sh`, or `apt-get install libdnnl-dev && npm run build:native`';

export const ADDON_PATH = join(packageRoot(), 'src/engine/native/build/Release/mnist_native.node');

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/** The addon, or why it cannot be loaded (never throws). */
export function loadAddon(): { addon: NativeAddon } | { reason: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    loaded = { reason: `the native addon is not built (${ADDON_PATH} is missing); ${ENABLE_HINT}` };
    return loaded;
  }
  // Idle OpenMP threads sleep instead of spinning: spinning starves Node's own threads (e.g. a batch-prefetching
  // worker) on small machines. libgomp reads this once, when the addon loads it.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  try {
    loaded = { addon: createRequire(import.meta.url)(ADDON_PATH) as NativeAddon };
  } catch (err) {
    loaded = { reason: `the native addon failed to load: ${(err as Error).message.split('\n')[0]}; ${ENABLE_HINT}` };
  }
  return loaded;
}

/** Sets the native engine's OpenMP threads (process-wide) when `threads` is given; throws for a bad count. */
export function setNativeThreads(addon: NativeAddon, threads: number | undefined): void {
  if (threads === undefined) return;
  if (!Number.isInteger(threads) || threads < 1) throw badArgument('threads', 'a positive integer', threads);
  addon.setThreads(threads);
}
