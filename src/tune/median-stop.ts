// The median stopping rule (Google Vizier): stop a trial whose best value so far is worse than the median of completed trials' running averages.

export interface MedianStopInput {
  /** The running trial's intermediate objectives, one per evaluation point so far. */
  values: readonly number[];
  /** Intermediate objectives of each completed trial. */
  completed: readonly (readonly number[])[];
  goal: 'MINIMIZE' | 'MAXIMIZE';
  /** Completed trials needed before the rule applies. */
  minCompleted: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * At step s = values.length: each completed trial contributes the mean of its first s values (all of them if it
 * reported fewer); the trial is stopped when its best value so far is strictly worse than the median of those.
 */
export function shouldStopByMedian({ values, completed, goal, minCompleted }: MedianStopInput): boolean {
  const curves = completed.filter((c) => c.length > 0);
  if (values.length === 0 || curves.length < Math.max(1, minCompleted)) return false;
  const step = values.length;
  const averages = curves.map((c) => {
    const head = c.slice(0, step);
    return head.reduce((a, b) => a + b, 0) / head.length;
  });
  const bar = median(averages);
  return goal === 'MINIMIZE' ? Math.min(...values) > bar : Math.max(...values) < bar;
}
