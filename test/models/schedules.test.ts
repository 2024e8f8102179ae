// The codelab's learning-rate schedules against hand-computed tables (keras_03/05 and mlengine task.py).
import { describe, expect, it } from 'vitest';
import { exponentialEpochDecay, scheduleTable, stepExpDecay } from '../../src/train/schedules.js';

function expectClose(actual: number[], expected: number[], rtol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(rtol * Math.abs(expected[i])));
}

describe('schedules', () => {
  it('0.01 * 0.6^epoch matches the hand table (keras_03, keras_04)', () => {
    const table = scheduleTable(exponentialEpochDecay(0.01, 0.6), 10);
    expect(table.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectClose(
      table.map((r) => r.lr),
      [0.01, 0.006, 0.0036, 0.00216, 0.001296, 0.0007776, 0.00046656, 0.000279936, 0.0001679616, 0.00010077696],
    );
  });

  it('0.01 * 0.666^epoch ends at 0.000258 (keras_05)', () => {
    const lrs = scheduleTable(exponentialEpochDecay(0.01, 0.666), 10).map((r) => r.lr);
    expect(lrs[0]).toBe(0.01);
    expect(lrs[1]).toBeCloseTo(0.00666, 12);
    expect(lrs[9]).toBeCloseTo(0.00025779118, 10);
  });

  it('lr1 + lr0 * e^(-step/lr2) decays per step, not per epoch (mlengine)', () => {
    const lr = stepExpDecay(0.02, 0.0001, 600);
    expectClose([lr(0, 0), lr(0, 600), lr(0, 1200), lr(0, 3000)], [0.0201, 0.00745758882, 0.00280670566, 0.000234758940]);
    expect(lr(5, 600)).toBe(lr(0, 600));
  });

  it('scheduleTable passes the global step of each epoch start', () => {
    const table = scheduleTable(stepExpDecay(0.02, 0.0001, 600), 3, 600);
    expectClose(table.map((r) => r.lr), [0.0201, 0.00745758882, 0.00280670566]);
  });
});
