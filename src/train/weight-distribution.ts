// The spread of a model's weights and biases as equal-population bucket boundaries (the old dashboard's bands).
import type * as tf from '@tensorflow/tfjs';
import type { WeightsRecord } from '../run/schema.js';

/** The old dashboard's HISTOGRAM_BUCKETS. */
export const BUCKETS = 7;

/**
 * The `buckets + 1` boundaries of `buckets` equal-population buckets of `values`: sorted values at evenly spaced
 * ranks, the first the minimum and the last the maximum (probability_distribution in tensorflowvisu.py).
 */
export function bucketBoundaries(values: Float32Array, buckets = BUCKETS): number[] {
  if (values.length === 0) return [];
  const sorted = Float32Array.from(values).sort();
  // Six significant digits keep history.jsonl short and are far finer than any plot.
  return Array.from({ length: buckets + 1 }, (_, k) => Number(sorted[Math.round((k * (sorted.length - 1)) / buckets)].toPrecision(6)));
}

/** Kernel weights (dense and conv) count as weights; biases and batch-norm offsets (beta) as biases. */
function kindOf(variableName: string): 'weights' | 'biases' | null {
  const last = variableName.split('/').pop() ?? '';
  if (last.startsWith('kernel')) return 'weights';
  if (last.startsWith('bias') || last.startsWith('beta')) return 'biases';
  return null;
}

/** One weights record for `model` as it is now; reads the variables (asynchronously, as WebGPU must), creates no tensors. */
export async function weightsRecord(model: tf.LayersModel, epoch: number): Promise<WeightsRecord> {
  const parts: Record<'weights' | 'biases', Float32Array[]> = { weights: [], biases: [] };
  for (const variable of model.weights) {
    const kind = kindOf(variable.originalName);
    if (kind) parts[kind].push((await variable.read().data()) as Float32Array); // sync point: once an epoch
  }
  const joined = (arrays: Float32Array[]) => {
    const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    arrays.reduce((offset, a) => (all.set(a, offset), offset + a.length), 0);
    return all;
  };
  return { type: 'weights', epoch, weights: bucketBoundaries(joined(parts.weights)), biases: bucketBoundaries(joined(parts.biases)) };
}
