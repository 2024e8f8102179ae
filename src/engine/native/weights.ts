// Pairs a compiled network's weights with the TF.js layers they came from, and copies values between the two.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../errors.js';
import type { RawWeights, WeightInfo } from './addon.js';

/** One native weight and the TF.js variable it mirrors. */
export interface BoundWeight {
  /** Index in the native weightInfo(). */
  index: number;
  info: WeightInfo;
  layer: tf.layers.Layer;
  /** The position in layer.weights. */
  position: number;
  /** The TF.js variable's name, e.g. "dense_Dense1/kernel". */
  name: string;
}

/** Every native weight with its TF.js variable; throws NATIVE_FAILURE if the two sides disagree on a shape. */
export function bindWeights(raw: RawWeights, sources: tf.layers.Layer[]): BoundWeight[] {
  const info = raw.weightInfo();
  return sources.flatMap((layer, specIndex) => {
    const indices = info.flatMap((w, i) => (w.layer === specIndex ? [i] : []));
    if (indices.length !== layer.weights.length) {
      throw new LabError('NATIVE_FAILURE', `native network: layer ${layer.name} has ${layer.weights.length} weights but the native layer has ${indices.length}`);
    }
    return indices.map((index, position) => {
      const variable = layer.weights[position];
      if (variable.shape.join(',') !== info[index].shape.join(',')) {
        throw new LabError('NATIVE_FAILURE', `native network: ${variable.name} has shape [${variable.shape}], native ${info[index].role} [${info[index].shape}]`);
      }
      return { index, info: info[index], layer, position, name: variable.name };
    });
  });
}

/** The TF.js model's current values → the native weights. */
export function pullWeights(raw: RawWeights, bound: BoundWeight[]): void {
  for (const w of bound) {
    // Sync point: weights are read once per compile, checkpoint restore or explicit pull, not per step.
    raw.setWeight(w.index, w.layer.weights[w.position].read().dataSync() as Float32Array);
  }
}

/** The native values (read by `value`) → the TF.js layers' variables. */
export function pushWeights(bound: BoundWeight[], value: (index: number) => Float32Array): void {
  const byLayer = new Map<tf.layers.Layer, BoundWeight[]>();
  for (const w of bound) byLayer.set(w.layer, [...(byLayer.get(w.layer) ?? []), w]);
  tf.tidy(() => {
    for (const [layer, weights] of byLayer) {
      layer.setWeights(weights.map((w) => tf.tensor(value(w.index), w.info.shape)));
    }
  });
}
