// What model.compile set, as fit needs it: the loss (and whether the labels match it), the optimizer in words.
import type * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '../engine/types.js';
import type { LabelFormat } from '../engine/types.js';
import { LabError } from '../errors.js';
import { labelSmoothingOf } from './losses.js';
import { formatLr } from './progress.js';

const CATEGORICAL = ['categoricalCrossentropy', 'categorical_crossentropy'];
const SPARSE = ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'];
const ACCURACY = ['accuracy', 'acc', 'categoricalAccuracy', 'sparseCategoricalAccuracy'];

type Compiled = tf.LayersModel & { loss?: unknown; metrics?: unknown };


/** The compiled loss in words. */
export function describeLoss(model: tf.LayersModel): string {
  const loss = (model as Compiled).loss;
  const smoothing = labelSmoothingOf(loss);
  if (smoothing !== null) return `categoricalCrossentropy (label smoothing ${smoothing})`;
  if (typeof loss === 'string') return loss;
  if (typeof loss === 'function') return `a custom loss function (${loss.name || 'anonymous'})`;
  return JSON.stringify(loss);
}

/** The compiled optimizer in words, e.g. "Adam (learningRate 0.01, beta1 0.9, beta2 0.999, epsilon 1e-7)". */
export function describeOptimizer(optimizer: tf.Optimizer): string {
  const config = optimizer.getConfig() as Record<string, unknown>;
  const fields = Object.entries(config).map(([k, v]) => `${k} ${typeof v === 'number' ? formatLr(v) : String(v)}`);
  return `${optimizer.getClassName()} (${fields.join(', ')})`;
}

/**
 * The compiled model's loss as the engine takes it, checked against the labels the dataset gives: categorical
 * cross-entropy needs one-hot labels (the codelab's), sparse categorical cross-entropy class ids. A loss the
 * engine does not compute natively comes back as null (TF.js trains it). The metrics must include accuracy.
 */
export function lossSpecOf(model: tf.LayersModel, labels: LabelFormat): { spec: LossSpec | null; name: string } {
  const compiled = model as Compiled;
  if (!compiled.optimizer || compiled.loss === undefined) {
    throw new LabError('BAD_LAB_FILE', `model ${model.name} is not compiled`, {
      hint: "call model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] }) before lab.fit",
    });
  }
  const metrics = Array.isArray(compiled.metrics) ? compiled.metrics : [compiled.metrics];
  if (!metrics.some((m) => typeof m === 'string' && ACCURACY.includes(m))) {
    throw new LabError('BAD_LAB_FILE', `model.compile metrics must include 'accuracy'; got ${JSON.stringify(compiled.metrics ?? null)}`, {
      hint: "compile with metrics: ['accuracy'] (fit reports the accuracy, as the codelab does)",
    });
  }
  const loss = compiled.loss;
  const name = describeLoss(model);
  const smoothing = labelSmoothingOf(loss);
  const kind = smoothing !== null || (typeof loss === 'string' && CATEGORICAL.includes(loss)) ? 'categorical' : typeof loss === 'string' && SPARSE.includes(loss) ? 'sparse' : null;
  const wanted: LabelFormat | null = kind === 'categorical' ? 'one-hot' : kind === 'sparse' ? 'sparse' : null;
  if (wanted !== null && wanted !== labels) {
    const fix = wanted === 'sparse' ? "trainingDataset({ …, labels: 'sparse' }) and validationDataset({ labels: 'sparse' })" : "loss: 'categoricalCrossentropy' (the datasets give one-hot labels)";
    throw new LabError('BAD_LAB_FILE', `loss ${name} takes ${wanted} labels, but the training dataset gives ${labels} labels`, { hint: `use ${fix}` });
  }
  return { spec: kind === null ? null : { kind, labelSmoothing: smoothing ?? 0 }, name };
}
