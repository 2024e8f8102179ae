// Loads the compiled oneDNN addon (build/Release/mnist_native.node) once and describes its raw surface.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type NativeActivation = 'linear' | 'relu' | 'sigmoid' | 'softmax';

/** One layer of the compiled network as the C++ side parses it (features are per sample). */
export type LayerSpec =
  | {
      kind: 'conv';
      inFeatures: number;
      act: NativeActivation;
      bias: boolean;
      h: number;
      w: number;
      c: number;
      kh: number;
      kw: number;
      oc: number;
      sh: number;
      sw: number;
      padTop: number;
      padLeft: number;
      padBottom: number;
      padRight: number;
      oh: number;
      ow: number;
    }
  | { kind: 'dense'; inFeatures: number; act: NativeActivation; bias: boolean; units: number }
  | { kind: 'batchNorm'; inFeatures: number; channels: number; momentum: number; epsilon: number; center: boolean; scale: boolean }
  | { kind: 'activation'; inFeatures: number; act: NativeActivation }
  | { kind: 'dropout'; inFeatures: number; rate: number; /** the model layer index: each dropout layer draws its own mask */ salt: number };

export interface TrainerSpec {
  layers: LayerSpec[];
  batchSize: number;
  lossScale: number;
  optimizer: { kind: 'sgd' | 'adam'; beta1: number; beta2: number; epsilon: number };
}

export interface WeightInfo {
  /** Index into TrainerSpec.layers. */
  layer: number;
  role: 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';
  shape: number[];
  trainable: boolean;
}

export interface RawTrainer {
  step(xs: Float32Array, labels: Uint8Array, count: number, lr: number, seed: number): { loss: number; accuracy: number };
  evaluate(xs: Float32Array, labels: Uint8Array, count: number, probabilities: Float32Array): { loss: number; accuracy: number };
  weightInfo(): WeightInfo[];
  getWeight(index: number): Float32Array;
  setWeight(index: number, data: Float32Array): void;
  /** The gradient of a trainable weight from the last step (before the update). */
  getGradient(index: number): Float32Array;
  getSlot(index: number, which: 'm' | 'v'): Float32Array;
  setSlot(index: number, which: 'm' | 'v', data: Float32Array): void;
  getOptimizerStep(): number;
  setOptimizerStep(step: number): void;
  dispose(): void;
}

export interface NativeAddon {
  Trainer: new (spec: TrainerSpec) => RawTrainer;
  /** out[batch, m, n] = op(a) op(b) (+ bias[n]) then act; a batch of 1 broadcasts. */
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    k: number,
    n: number,
    transposeA: boolean,
    transposeB: boolean,
    bias: Float32Array | null,
    act: NativeActivation,
  ): void;
  /** NHWC conv with an HWIO kernel; geometry = n,h,w,c,kh,kw,oc,sh,sw,padTop,padLeft,padBottom,padRight,oh,ow. */
  conv2d(x: Float32Array, kernel: Float32Array, out: Float32Array, geometry: number[], bias: Float32Array | null, act: NativeActivation): void;
  /** dx of a conv2d from dy and the HWIO kernel; same geometry as conv2d. */
  conv2dBackpropInput(dy: Float32Array, kernel: Float32Array, dx: Float32Array, geometry: number[]): void;
  /** The HWIO kernel's gradient of a conv2d from its input x and dy; same geometry as conv2d. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dKernel: Float32Array, geometry: number[]): void;
  /** Inference batch norm over the last axis: out = (x - mean) / sqrt(variance + epsilon) * scale + offset. */
  batchNorm(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    epsilon: number,
  ): void;
  /** out = act(x) elementwise (relu or sigmoid). */
  activation(x: Float32Array, out: Float32Array, act: 'relu' | 'sigmoid'): void;
  info(): { onednnVersion: string; threads: number; cpuFeatures: string[] };
  setThreads(threads: number): number;
  /** The keep mask (1 kept, 0 dropped) that the dropout layer at model.layers[salt] draws for `seed`. */
  dropoutMask(seed: number, salt: number, count: number, rate: number): Float32Array;
}

export const ENABLE_HINT =
  'to enable the native engine run `bash scripts/setup.sh`, or `apt-get install libdnnl-dev && npm run build:native`';

/** The package root: the nearest folder above this file with a package.json (works from src/ and dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'mnist-lab') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the mnist-lab package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

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
