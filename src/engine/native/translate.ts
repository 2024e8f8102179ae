// Translates a tf.Sequential into the native network's layer specs, up to the logits (the model's final softmax
// becomes the compiled head), or names the layer and option that keeps it off the native path.
import type * as tf from '@tensorflow/tfjs';
import { type Padding, windowGeometry } from '../conv-geometry.js';
import type { LayerSpec, NativeActivation } from './addon.js';

export interface Translation {
  /** The network up to the logits. */
  layers: LayerSpec[];
  /** For each entry of `layers`, the TF.js layer it came from (whose weights it holds, in getWeights() order). */
  sources: tf.layers.Layer[];
  inputFeatures: number;
  classes: number;
}

type Config = Record<string, unknown>;

/** A reason the model cannot be compiled, e.g. "layer conv2d_3 (Conv2D): dilationRate 2x2". */
class Unsupported extends Error {}

const NATIVE_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'sigmoid', 'tanh'];
const WEIGHT_OPTIONS = ['kernelRegularizer', 'biasRegularizer', 'kernelConstraint', 'biasConstraint'];
const BATCH_NORM_OPTIONS = ['betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint'];

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

function pair(value: unknown, what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  throw new Unsupported(`${what} ${JSON.stringify(value)}`);
}

/** The per-layer translation state: the current per-sample shape and whether the model's softmax was reached. */
class Translator {
  readonly layers: LayerSpec[] = [];
  readonly sources: tf.layers.Layer[] = [];
  shape: number[];
  softmaxSeen = false;

  constructor(private readonly model: tf.Sequential) {
    this.shape = model.inputs[0].shape.slice(1) as number[];
  }

  features(): number {
    return product(this.shape);
  }

  /** The layer's activation: a native one, or 'softmax' when it is the model's last layer on a flat output. */
  activation(config: Config, name: string, isLast: boolean, outRank: number): NativeActivation | 'softmax' {
    const act = String(config['activation'] ?? 'linear');
    if (NATIVE_ACTIVATIONS.includes(act)) return act as NativeActivation;
    if (act === 'softmax') {
      if (isLast && outRank === 1) return 'softmax';
      throw new Unsupported(`${name}: softmax${isLast ? ` over a [${this.shape}] output` : ' before the last layer'} (natively only as the model's last activation, on a flat output)`);
    }
    throw new Unsupported(`${name}: activation ${JSON.stringify(act)} (native: linear, relu, sigmoid, tanh, and softmax last)`);
  }

  image(name: string): [number, number, number] {
    if (this.shape.length !== 3) throw new Unsupported(`${name}: input shape [${this.shape}] is not [height, width, channels]`);
    return this.shape as [number, number, number];
  }

  emit(spec: LayerSpec, layer: tf.layers.Layer): void {
    this.layers.push(spec);
    this.sources.push(layer);
  }

  translateLayer(layer: tf.layers.Layer, index: number, isLast: boolean): void {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Config;
    const name = `layer ${layer.name} (${cls})`;
    const out = (layer.outputShape as number[]).slice(1);
    const inFeatures = this.features();
    if (!layer.trainable && layer.weights.length > 0) throw new Unsupported(`${name}: frozen (trainable false)`);
    requireNull(config, ['activityRegularizer'], name);
    switch (cls) {
      case 'InputLayer':
      case 'Reshape':
      case 'Flatten':
        break; // activations are row-major NHWC, as TF.js stores them: nothing moves
      case 'Conv2D': {
        requireNull(config, WEIGHT_OPTIONS, name);
        requireChannelsLast(config, name);
        const [dh, dw] = pair(config['dilationRate'] ?? 1, `${name}: dilationRate`);
        if (dh !== 1 || dw !== 1) throw new Unsupported(`${name}: dilationRate ${dh}x${dw}`);
        const [h, w, c] = this.image(name);
        const [kh, kw] = pair(config['kernelSize'], `${name}: kernelSize`);
        const [sh, sw] = pair(config['strides'] ?? 1, `${name}: strides`);
        const geometry = windowGeometry(h, w, c, {
          filterHeight: kh, filterWidth: kw, outChannels: config['filters'] as number, strideHeight: sh, strideWidth: sw,
          padding: paddingOf(config, name),
        });
        checkOutput(name, out, [geometry.outHeight, geometry.outWidth, geometry.outChannels]);
        const activation = this.activation(config, name, isLast, out.length);
        if (activation === 'softmax') throw new Unsupported(`${name}: softmax over a [${out}] output`);
        this.emit({ kind: 'conv', inFeatures, activation, bias: config['useBias'] !== false, geometry }, layer);
        break;
      }
      case 'Dense': {
        requireNull(config, WEIGHT_OPTIONS, name);
        if (this.shape.length !== 1) throw new Unsupported(`${name}: input shape [${this.shape}] is not flat (add a Flatten layer before it)`);
        const activation = this.activation(config, name, isLast, out.length);
        this.softmaxSeen = activation === 'softmax';
        const units = config['units'] as number;
        this.emit({ kind: 'dense', inFeatures, activation: activation === 'softmax' ? 'linear' : activation, bias: config['useBias'] !== false, units }, layer);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        requireChannelsLast(config, name);
        const [h, w, c] = this.image(name);
        const [ph, pw] = pair(config['poolSize'], `${name}: poolSize`);
        const [sh, sw] = pair(config['strides'] ?? config['poolSize'], `${name}: strides`);
        const geometry = windowGeometry(h, w, c, {
          filterHeight: ph, filterWidth: pw, outChannels: c, strideHeight: sh, strideWidth: sw, padding: paddingOf(config, name),
        });
        checkOutput(name, out, [geometry.outHeight, geometry.outWidth, c]);
        this.emit({ kind: cls === 'MaxPooling2D' ? 'maxPool' : 'avgPool', inFeatures, geometry }, layer);
        break;
      }
      case 'GlobalAveragePooling2D': {
        requireChannelsLast(config, name);
        if (config['keepDims'] === true) throw new Unsupported(`${name}: keepDims true`);
        const [height, width, channels] = this.image(name);
        this.emit({ kind: 'globalAvgPool', inFeatures, height, width, channels }, layer);
        break;
      }
      case 'BatchNormalization': {
        requireNull(config, BATCH_NORM_OPTIONS, name);
        const axis = config['axis'] as number;
        if (axis !== -1 && axis !== this.shape.length) throw new Unsupported(`${name}: axis ${axis} (natively only the last axis)`);
        this.emit({
          kind: 'batchNorm', inFeatures, channels: this.shape[this.shape.length - 1], momentum: config['momentum'] as number,
          epsilon: config['epsilon'] as number, center: config['center'] !== false, scale: config['scale'] !== false,
        }, layer);
        break;
      }
      case 'Activation': {
        const activation = this.activation(config, name, isLast, out.length);
        if (activation === 'softmax') this.softmaxSeen = true;
        else this.emit({ kind: 'activation', inFeatures, activation }, layer);
        break;
      }
      case 'Dropout':
        if (config['noiseShape'] != null) throw new Unsupported(`${name}: noiseShape ${JSON.stringify(config['noiseShape'])}`);
        this.emit({ kind: 'dropout', inFeatures, rate: config['rate'] as number, salt: index }, layer);
        break;
      default:
        throw new Unsupported(`${name}: no native implementation of ${cls}`);
    }
    this.shape = out;
  }
}

function requireNull(config: Config, keys: string[], name: string): void {
  for (const key of keys) {
    if (config[key] != null) throw new Unsupported(`${name}: ${key} ${JSON.stringify(config[key])}`);
  }
}

function requireChannelsLast(config: Config, name: string): void {
  const format = config['dataFormat'] ?? 'channelsLast';
  if (format !== 'channelsLast') throw new Unsupported(`${name}: dataFormat ${String(format)}`);
}

function paddingOf(config: Config, name: string): Padding {
  const padding = config['padding'] ?? 'valid';
  if (padding !== 'same' && padding !== 'valid') throw new Unsupported(`${name}: padding ${JSON.stringify(padding)}`);
  return padding;
}

function checkOutput(name: string, actual: number[], computed: number[]): void {
  if (actual.join(',') !== computed.join(',')) {
    throw new Unsupported(`${name}: output shape [${actual}] differs from the computed [${computed}]`);
  }
}

/** The model's native network, or why it has none (the reason names the layer and option, or the model rule). */
export function translate(model: tf.Sequential): Translation | { unsupported: string } {
  try {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Unsupported(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs (natively: one of each)`);
    const input = model.inputs[0].shape.slice(1);
    if (!input.every((d) => typeof d === 'number')) throw new Unsupported(`input shape [${input}] is not fully known`);
    const translator = new Translator(model);
    const inputFeatures = translator.features();
    model.layers.forEach((layer, index) => translator.translateLayer(layer, index, index === model.layers.length - 1));
    if (!translator.softmaxSeen) {
      const last = model.layers[model.layers.length - 1];
      throw new Unsupported(
        `the model does not end in softmax (its last layer ${last ? `${last.name} (${last.getClassName()})` : 'is missing'}): the compiled head is softmax cross-entropy; end with Dense(activation softmax) or Activation('softmax')`,
      );
    }
    if (translator.layers.length === 0) throw new Unsupported('the model has no layer to compute before its softmax');
    return { layers: translator.layers, sources: translator.sources, inputFeatures, classes: translator.features() };
  } catch (err) {
    if (err instanceof Unsupported) return { unsupported: err.message };
    throw err;
  }
}
