// Mean, sample standard deviation and range of a few numbers (accuracy over seeds).

export interface Spread {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  std: number;
  min: number;
  max: number;
  count: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  const std = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), count: values.length };
}
