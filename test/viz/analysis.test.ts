// Confusion matrix, per-class accuracy, mistakes-first order and confident mistakes against plain-loop oracles.
import { describe, expect, it } from 'vitest';
import { confidentMistakes, confusionMatrix, mistakesFirst, perClassAccuracy } from '../../src/viz/analysis.js';
import { argmaxRows } from '../../src/viz/predictions.js';
import { Rng } from '../../src/util/rng.js';

function randomPredictions(count: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Uint8Array.from({ length: count }, () => rng.int(10));
  const probabilities = Float32Array.from({ length: count * 10 }, () => rng.next());
  return { labels, probabilities, predicted: argmaxRows(probabilities, count), count };
}

describe('analysis', () => {
  const p = randomPredictions(500, 7);

  it('argmaxRows picks the largest of each row', () => {
    for (let i = 0; i < p.count; i++) {
      const row = Array.from(p.probabilities.subarray(i * 10, i * 10 + 10));
      expect(p.predicted[i]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('confusion matrix counts every digit once, in the right cell', () => {
    const m = confusionMatrix(p.labels, p.predicted);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(500);
    for (let t = 0; t < 10; t++) {
      for (let q = 0; q < 10; q++) {
        let oracle = 0;
        for (let i = 0; i < 500; i++) if (p.labels[i] === t && p.predicted[i] === q) oracle++;
        expect(m[t][q]).toBe(oracle);
      }
    }
    const acc = perClassAccuracy(m);
    for (let t = 0; t < 10; t++) {
      const ofClass = [...p.labels.keys()].filter((i) => p.labels[i] === t);
      expect(acc[t]).toBeCloseTo(ofClass.filter((i) => p.predicted[i] === t).length / ofClass.length, 12);
    }
    expect(perClassAccuracy([[0, 0], [1, 1]])[0]).toBeNaN();
  });

  it('orders wrong predictions first, each group in file order', () => {
    const labels = Uint8Array.from([1, 2, 3, 4, 5]);
    const predicted = Uint8Array.from([1, 0, 3, 0, 0]);
    expect(mistakesFirst(labels, predicted)).toEqual([1, 3, 4, 0, 2]);
  });

  it('lists the most confident mistakes, highest probability first', () => {
    const top = confidentMistakes(p, p.labels, 5);
    const oracle = [...p.labels.keys()]
      .filter((i) => p.predicted[i] !== p.labels[i])
      .map((i) => p.probabilities[i * 10 + p.predicted[i]])
      .sort((a, b) => b - a)
      .slice(0, 5);
    expect(top.map((m) => m.probability)).toEqual(oracle);
    for (const m of top) {
      expect(m.predicted).not.toBe(m.label);
      expect(m.label).toBe(p.labels[m.index]);
    }
  });
});
