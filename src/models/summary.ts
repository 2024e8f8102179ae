// Keras-style model.summary(): per-layer rows with output shapes and parameter counts, and the printed table.
import type * as tf from '@tensorflow/tfjs';

export interface SummaryRow {
  name: string;
  /** The layer's class, e.g. "Conv2D". */
  type: string;
  /** Output shape with null for the batch dimension, e.g. [null, 28, 28, 12]. */
  outputShape: (number | null)[];
  params: number;
}

export interface ModelSummary {
  name: string;
  rows: SummaryRow[];
  total: number;
  trainable: number;
  nonTrainable: number;
}

const sizeOf = (weights: tf.LayerVariable[]): number =>
  weights.reduce((n, w) => n + w.shape.reduce<number>((a, d) => a * (d ?? 1), 1), 0);

export function summarize(model: tf.LayersModel): ModelSummary {
  const rows = model.layers.map((layer) => {
    const shape = layer.outputShape;
    return {
      name: layer.name,
      type: layer.getClassName(),
      outputShape: (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[],
      params: layer.countParams(),
    };
  });
  const trainable = model.layers.reduce((n, l) => n + sizeOf(l.trainableWeights), 0);
  const nonTrainable = model.layers.reduce((n, l) => n + sizeOf(l.nonTrainableWeights), 0);
  return { name: model.name, rows, total: trainable + nonTrainable, trainable, nonTrainable };
}

/** Keras's column widths, widened when TF.js's long layer names need it. */
const MIN_COLUMNS = [29, 26, 10];
const count = (n: number): string => n.toLocaleString('en-US');
const shapeText = (shape: (number | null)[]): string => `(${shape.map((d) => (d === null ? 'None' : d)).join(', ')})`;

/** The table Keras prints, ending with "Total params: 354,538 / Trainable params: 354,002 / Non-trainable params: 536". */
export function formatSummary(summary: ModelSummary): string {
  const cells = summary.rows.map((r) => [` ${r.name} (${r.type})`, shapeText(r.outputShape), count(r.params)]);
  const widths = MIN_COLUMNS.map((min, i) => Math.max(min, ...cells.map((c) => c[i].length + 2)));
  const row = (texts: string[]): string => texts.map((t, i) => t.padEnd(widths[i])).join('').trimEnd();
  const line = widths.reduce((a, b) => a + b, 0);
  return [
    `Model: "${summary.name}"`,
    '_'.repeat(line),
    row([' Layer (type)', 'Output Shape', 'Param #']),
    '='.repeat(line),
    ...cells.map(row),
    '='.repeat(line),
    `Total params: ${count(summary.total)}`,
    `Trainable params: ${count(summary.trainable)}`,
    `Non-trainable params: ${count(summary.nonTrainable)}`,
    '_'.repeat(line),
  ].join('\n');
}
