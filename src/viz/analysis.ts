// Plain counts over predictions: confusion matrix, per-class accuracy, mistakes-first order, most confident mistakes.
import { NUM_CLASSES } from '../data/types.js';
import type { Predictions } from './predictions.js';

/** matrix[true][predicted] = number of digits. */
export function confusionMatrix(labels: Uint8Array, predicted: Uint8Array, classes = NUM_CLASSES): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predicted[i]]++;
  return matrix;
}

/** Right answers / digits of each true class (NaN for a class with no digits). */
export function perClassAccuracy(matrix: readonly number[][]): number[] {
  return matrix.map((row, k) => row[k] / row.reduce((a, b) => a + b, 0));
}

/**
 * display_top_unrecognized's order: wrong predictions first, then right ones. Stable (file order within each
 * group), where the codelab's np.argsort is not.
 */
export function mistakesFirst(labels: Uint8Array, predicted: Uint8Array): number[] {
  const indices = Array.from(labels, (_, i) => i);
  return [...indices.filter((i) => labels[i] !== predicted[i]), ...indices.filter((i) => labels[i] === predicted[i])];
}

export interface Mistake {
  index: number;
  label: number;
  predicted: number;
  /** The probability the model gave its (wrong) answer. */
  probability: number;
}

/** The `limit` wrong predictions the model was most sure of, most confident first. */
export function confidentMistakes(predictions: Predictions, labels: Uint8Array, limit: number): Mistake[] {
  const mistakes: Mistake[] = [];
  for (let i = 0; i < predictions.count; i++) {
    const predicted = predictions.predicted[i];
    if (predicted === labels[i]) continue;
    mistakes.push({ index: i, label: labels[i], predicted, probability: predictions.probabilities[i * NUM_CLASSES + predicted] });
  }
  return mistakes.sort((a, b) => b.probability - a.probability || a.index - b.index).slice(0, limit);
}
