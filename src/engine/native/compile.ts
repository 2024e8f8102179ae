// Compiles a tf.Sequential Layers model into the native trainer: translates each layer into the C++ network spec
// and keeps the native weights, moving statistics and Adam slots exchangeable with the TF.js model.
import * as tf from '@tensorflow/tfjs';
import { LabError, badArgument } from '../../errors.js';
import { loadAddon, type LayerSpec, type NativeActivation, type RawTrainer } from './addon.js';

export interface StepResult {
  loss: number;
  accuracy: number;
}

export interface OptimizerSlot {
  /** TF.js's slot name: `${variableName}/m` or `${variableName}/v`. */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface OptimizerState {
  /** Optimizer steps taken (Adam's t). */
  step: number;
  slots: OptimizerSlot[];
}

export interface CompiledTrainer {
  /** One training step; xs is count×784 floats already scaled, labels count class indices (count <= batchSize). */
  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult;
  /** Inference (moving BN statistics, no dropout) on the first `count` samples, in batchSize chunks. */
  evaluate(xs: Float32Array, labels: Uint8Array, count: number): StepResult & { probabilities: Float32Array };
  /** Native weights + BN moving stats → the TF.js model's variables. */
  pushWeightsToModel(): void;
  /** The TF.js model's variables → native weights + BN moving stats. */
  pullWeightsFromModel(): void;
  getOptimizerState(): OptimizerState;
  setOptimizerState(state: OptimizerState): void;
  dispose(): void;
  /** The last step's gradients (before the update) by TF.js variable name, for checks and debugging. */
  lastGradients(): Map<string, Float32Array>;
}

export interface CompileOptions {
  optimizer: { kind: 'sgd' | 'adam'; lr: number };
  batchSize: number;
  /** Loss multiplier (mlengine reports cross-entropy × 100); default 1. */
  lossScale?: number;
  /** OpenMP threads for the native engine (process-wide); default: cores. */
  threads?: number;
}

/** TF.js's Adam defaults (tf.train.adam: beta1 0.9, beta2 0.999, epsilon = backend epsilon 1e-7). */
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

class Unsupported extends Error {}

type Config = Record<string, unknown>;

function pair(value: unknown, what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    return [value[0] as number, value[1] as number];
  }
  throw new Unsupported(`${what} ${JSON.stringify(value)}`);
}

function activationOf(config: Config, layerName: string): NativeActivation {
  const act = config['activation'] ?? 'linear';
  if (act === 'linear' || act === 'relu' || act === 'sigmoid' || act === 'softmax') return act;
  throw new Unsupported(`layer ${layerName}: activation ${JSON.stringify(act)} (supported: linear, relu, sigmoid, softmax)`);
}

function requireNull(config: Config, keys: string[], layerName: string): void {
  for (const key of keys) {
    if (config[key] != null) throw new Unsupported(`layer ${layerName}: ${key} ${JSON.stringify(config[key])}`);
  }
}

/** TF's 'same'/'valid' geometry for one spatial axis. */
function axisGeometry(size: number, k: number, s: number, padding: string): { out: number; before: number; after: number } {
  if (padding === 'valid') return { out: Math.ceil((size - k + 1) / s), before: 0, after: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

interface Translation {
  specs: LayerSpec[];
  /** For each spec entry, the TF.js layer it came from. */
  sources: tf.layers.Layer[];
}

/** Translates the model's layers; throws Unsupported naming the layer and attribute it cannot run natively. */
function translate(model: tf.Sequential): Translation {
  const specs: LayerSpec[] = [];
  const sources: tf.layers.Layer[] = [];
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  let shape = inputShape;
  const features = (): number => shape.reduce((a, b) => a * b, 1);
  for (const [layerIndex, layer] of model.layers.entries()) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Config;
    const name = `${layer.name} (${cls})`;
    const out = (layer.outputShape as number[]).slice(1);
    const inFeatures = features();
    if (!layer.trainable && layer.trainableWeights.length + layer.nonTrainableWeights.length > 0) {
      throw new Unsupported(`layer ${name}: frozen (trainable false)`);
    }
    switch (cls) {
      case 'InputLayer':
      case 'Reshape':
      case 'Flatten':
        break;
      case 'Conv2D': {
        requireNull(config, ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'], name);
        if (config['dataFormat'] !== 'channelsLast') throw new Unsupported(`layer ${name}: dataFormat ${String(config['dataFormat'])}`);
        const [dh, dw] = pair(config['dilationRate'] ?? 1, `layer ${name}: dilationRate`);
        if (dh !== 1 || dw !== 1) throw new Unsupported(`layer ${name}: dilationRate ${dh}x${dw}`);
        const padding = String(config['padding']);
        if (padding !== 'same' && padding !== 'valid') throw new Unsupported(`layer ${name}: padding ${padding}`);
        if (shape.length !== 3) throw new Unsupported(`layer ${name}: input shape [${shape}] is not [h, w, c]`);
        const [kh, kw] = pair(config['kernelSize'], `layer ${name}: kernelSize`);
        const [sh, sw] = pair(config['strides'] ?? 1, `layer ${name}: strides`);
        const [h, w, c] = shape;
        const gh = axisGeometry(h, kh, sh, padding);
        const gw = axisGeometry(w, kw, sw, padding);
        const oc = config['filters'] as number;
        if (gh.out !== out[0] || gw.out !== out[1] || oc !== out[2]) {
          throw new Unsupported(`layer ${name}: output shape [${out}] differs from the computed [${gh.out},${gw.out},${oc}]`);
        }
        specs.push({
          kind: 'conv', inFeatures, act: activationOf(config, name), bias: config['useBias'] !== false,
          h, w, c, kh, kw, oc, sh, sw, padTop: gh.before, padLeft: gw.before, padBottom: gh.after, padRight: gw.after, oh: gh.out, ow: gw.out,
        });
        sources.push(layer);
        break;
      }
      case 'Dense':
        requireNull(config, ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'], name);
        if (shape.length !== 1) throw new Unsupported(`layer ${name}: input shape [${shape}] is not flat (add a Flatten layer)`);
        specs.push({ kind: 'dense', inFeatures, act: activationOf(config, name), bias: config['useBias'] !== false, units: config['units'] as number });
        sources.push(layer);
        break;
      case 'BatchNormalization': {
        requireNull(config, ['betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint'], name);
        const axis = config['axis'] as number;
        if (axis !== -1 && axis !== shape.length) throw new Unsupported(`layer ${name}: axis ${axis} (only the last axis)`);
        specs.push({
          kind: 'batchNorm', inFeatures, channels: shape[shape.length - 1], momentum: config['momentum'] as number,
          epsilon: config['epsilon'] as number, center: config['center'] !== false, scale: config['scale'] !== false,
        });
        sources.push(layer);
        break;
      }
      case 'Activation': {
        const act = activationOf(config, name);
        if (act === 'softmax') throw new Unsupported(`layer ${name}: a separate softmax layer (use Dense with activation softmax)`);
        specs.push({ kind: 'activation', inFeatures, act });
        sources.push(layer);
        break;
      }
      case 'Dropout':
        if (config['noiseShape'] != null) throw new Unsupported(`layer ${name}: noiseShape`);
        specs.push({ kind: 'dropout', inFeatures, rate: config['rate'] as number, salt: layerIndex });
        sources.push(layer);
        break;
      default:
        throw new Unsupported(`layer ${name}: class ${cls}`);
    }
    shape = out;
  }
  const last = specs[specs.length - 1];
  if (!last || last.kind !== 'dense' || last.act !== 'softmax') {
    throw new Unsupported('the last layer must be Dense with activation softmax (the loss is fused softmax cross-entropy)');
  }
  return { specs, sources };
}

class NativeCompiledTrainer implements CompiledTrainer {
  private raw: RawTrainer | null;
  /** Native weight indices per TF.js layer, in that layer's getWeights() order. */
  private readonly weightsByLayer: { layer: tf.layers.Layer; indices: number[] }[];
  private readonly inputFeatures: number;
  private readonly classes: number;

  constructor(
    raw: RawTrainer,
    translation: Translation,
    private readonly adam: boolean,
  ) {
    this.raw = raw;
    const info = raw.weightInfo();
    this.weightsByLayer = translation.sources.map((layer, specIndex) => {
      const indices = info.flatMap((w, i) => (w.layer === specIndex ? [i] : []));
      if (indices.length !== layer.weights.length) {
        throw new LabError('NATIVE_FAILURE', `native trainer: layer ${layer.name} has ${layer.weights.length} weights but the native layer has ${indices.length}`);
      }
      indices.forEach((nativeIndex, k) => {
        const expected = layer.weights[k].shape;
        if (expected.join(',') !== info[nativeIndex].shape.join(',')) {
          throw new LabError('NATIVE_FAILURE', `native trainer: ${layer.weights[k].name} has shape [${expected}], native ${info[nativeIndex].role} [${info[nativeIndex].shape}]`);
        }
      });
      return { layer, indices };
    });
    this.inputFeatures = translation.specs[0].inFeatures;
    this.classes = (translation.specs[translation.specs.length - 1] as { units: number }).units;
    this.pullWeightsFromModel();
  }

  private native(): RawTrainer {
    if (!this.raw) throw new LabError('NATIVE_FAILURE', 'the compiled trainer was disposed', { hint: 'compile the model again' });
    return this.raw;
  }

  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult {
    const count = labels.length;
    if (xs.length !== count * this.inputFeatures) {
      throw new LabError('BAD_INPUT', `step: xs has ${xs.length} floats for ${count} labels; expected ${count * this.inputFeatures}`);
    }
    return this.native().step(xs, labels, count, lr, seed >>> 0);
  }

  evaluate(xs: Float32Array, labels: Uint8Array, count: number): StepResult & { probabilities: Float32Array } {
    const probabilities = new Float32Array(count * this.classes);
    const result = this.native().evaluate(xs, labels, count, probabilities);
    return { ...result, probabilities };
  }

  pushWeightsToModel(): void {
    const raw = this.native();
    tf.tidy(() => {
      for (const { layer, indices } of this.weightsByLayer) {
        layer.setWeights(indices.map((i, k) => tf.tensor(raw.getWeight(i), layer.weights[k].shape as number[])));
      }
    });
  }

  pullWeightsFromModel(): void {
    const raw = this.native();
    for (const { layer, indices } of this.weightsByLayer) {
      indices.forEach((nativeIndex, k) => raw.setWeight(nativeIndex, layer.weights[k].read().dataSync() as Float32Array));
    }
  }

  /** Trainable weights with their TF.js variable names, in model order. */
  private trainable(): { index: number; name: string; shape: number[] }[] {
    const info = this.native().weightInfo();
    return this.weightsByLayer.flatMap(({ layer, indices }) =>
      indices.flatMap((i, k) => (info[i].trainable ? [{ index: i, name: layer.weights[k].name, shape: info[i].shape }] : [])),
    );
  }

  getOptimizerState(): OptimizerState {
    const raw = this.native();
    const slots = this.adam
      ? (['m', 'v'] as const).flatMap((which) =>
          this.trainable().map((t) => ({ name: `${t.name}/${which}`, shape: t.shape, data: raw.getSlot(t.index, which) })),
        )
      : [];
    return { step: raw.getOptimizerStep(), slots };
  }

  /** Restores a state from getOptimizerState() of the same model and optimizer (Adam: every m and v slot). */
  setOptimizerState(state: OptimizerState): void {
    const raw = this.native();
    if (!Number.isInteger(state.step) || state.step < 0) throw badArgument('optimizer state step', 'an integer >= 0', state.step);
    if (this.adam && !(state.step === 0 && state.slots.length === 0)) {
      const byName = new Map(state.slots.map((s) => [s.name, s]));
      for (const which of ['m', 'v'] as const) {
        for (const t of this.trainable()) {
          const slot = byName.get(`${t.name}/${which}`);
          if (!slot) {
            throw new LabError('BAD_INPUT', `optimizer state has no slot ${t.name}/${which}`, {
              hint: 'restore a state saved from the same model and optimizer',
            });
          }
          if (slot.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
            throw new LabError('BAD_INPUT', `optimizer slot ${slot.name} has ${slot.data.length} values; expected shape [${t.shape}]`);
          }
          raw.setSlot(t.index, which, slot.data);
        }
      }
    }
    raw.setOptimizerStep(state.step);
  }

  lastGradients(): Map<string, Float32Array> {
    const raw = this.native();
    return new Map(this.trainable().map((t) => [t.name, raw.getGradient(t.index)]));
  }

  dispose(): void {
    this.raw?.dispose();
    this.raw = null;
  }
}

/**
 * Compiles the model into a native training step (forward, backward and update in one call), or says why it
 * cannot: the reason names the unsupported layer and attribute, or how to enable the native engine.
 */
export function compileTrainer(
  model: tf.Sequential,
  opts: CompileOptions,
): { trainer: CompiledTrainer } | { trainer: null; reason: string } {
  const loaded = loadAddon();
  if (!('addon' in loaded)) return { trainer: null, reason: loaded.reason };
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw badArgument('batchSize', 'a positive integer', opts.batchSize);
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) {
    throw badArgument('threads', 'a positive integer', opts.threads);
  }
  if (opts.optimizer.kind !== 'adam' && opts.optimizer.kind !== 'sgd') {
    return { trainer: null, reason: `not supported natively: optimizer ${JSON.stringify(opts.optimizer.kind)} (sgd or adam)` };
  }
  let translation: Translation;
  try {
    translation = translate(model);
  } catch (err) {
    if (err instanceof Unsupported) return { trainer: null, reason: `not supported natively: ${err.message}` };
    throw err;
  }
  if (opts.threads !== undefined) loaded.addon.setThreads(opts.threads);
  let raw: RawTrainer;
  try {
    raw = new loaded.addon.Trainer({
      layers: translation.specs,
      batchSize: opts.batchSize,
      lossScale: opts.lossScale ?? 1,
      optimizer: { kind: opts.optimizer.kind, ...ADAM },
    });
  } catch (err) {
    throw new LabError('NATIVE_FAILURE', (err as Error).message, { cause: err });
  }
  return { trainer: new NativeCompiledTrainer(raw, translation, opts.optimizer.kind === 'adam') };
}
