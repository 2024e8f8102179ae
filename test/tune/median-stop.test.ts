// The median stopping rule against hand-worked cases.
import { describe, expect, it } from 'vitest';
import { shouldStopByMedian } from '../../src/tune/median-stop.js';

// Completed loss curves; their running averages at step 2 are 2.5, 3.5 and 1.5 (median 2.5), at step 1: 3, 4, 2 (median 3).
const completed = [
  [3, 2, 1],
  [4, 3, 2],
  [2, 1, 1],
];

describe('median stopping', () => {
  it('stops a trial whose best value is worse than the median of running averages', () => {
    expect(shouldStopByMedian({ values: [3.1], completed, goal: 'MINIMIZE', minCompleted: 3 })).toBe(true);
    expect(shouldStopByMedian({ values: [2.9], completed, goal: 'MINIMIZE', minCompleted: 3 })).toBe(false);
    // At step 2 the best so far (2.6) is worse than 2.5; a 2.4 is not.
    expect(shouldStopByMedian({ values: [2.6, 2.8], completed, goal: 'MINIMIZE', minCompleted: 3 })).toBe(true);
    expect(shouldStopByMedian({ values: [2.8, 2.4], completed, goal: 'MINIMIZE', minCompleted: 3 })).toBe(false);
  });

  it('does not stop a trial that only equals the median', () => {
    expect(shouldStopByMedian({ values: [3], completed, goal: 'MINIMIZE', minCompleted: 3 })).toBe(false);
  });

  it('flips the comparison when maximizing accuracy', () => {
    const acc = [[0.9, 0.95], [0.8, 0.9], [0.85, 0.97]]; // step 1 median 0.85
    expect(shouldStopByMedian({ values: [0.84], completed: acc, goal: 'MAXIMIZE', minCompleted: 3 })).toBe(true);
    expect(shouldStopByMedian({ values: [0.86], completed: acc, goal: 'MAXIMIZE', minCompleted: 3 })).toBe(false);
  });

  it('uses all values of a completed trial that reported fewer steps', () => {
    // Running averages at step 3: mean(5) = 5, mean(1,1,1) = 1, mean(2,2,2) = 2 → median 2.
    const uneven = [[5], [1, 1, 1], [2, 2, 2]];
    expect(shouldStopByMedian({ values: [9, 9, 2.1], completed: uneven, goal: 'MINIMIZE', minCompleted: 3 })).toBe(true);
    expect(shouldStopByMedian({ values: [9, 9, 1.9], completed: uneven, goal: 'MINIMIZE', minCompleted: 3 })).toBe(false);
  });

  it('waits for enough completed trials', () => {
    expect(shouldStopByMedian({ values: [100], completed: completed.slice(0, 2), goal: 'MINIMIZE', minCompleted: 3 })).toBe(false);
    expect(shouldStopByMedian({ values: [100], completed: [...completed, []], goal: 'MINIMIZE', minCompleted: 4 })).toBe(false);
  });
});
