// The range every training knob accepts, in one table: the CLI flags, config.json's schema and the server's share it.

export interface Limit {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
  /** The minimum itself is excluded (a learning rate must be above 0). */
  exclusiveMin?: boolean;
}

export const LIMITS = {
  epochs: { min: 1, max: 1000, integer: true },
  batchSize: { min: 1, max: 60_000, integer: true },
  lr: { min: 0, max: 10, integer: false, exclusiveMin: true },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  steps: { min: 1, max: 1_000_000, integer: true },
  limit: { min: 1, max: 60_000, integer: true },
  valLimit: { min: 1, max: 10_000, integer: true },
  threads: { min: 1, max: 256, integer: true },
  seeds: { min: 1, max: 100, integer: true },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The rule as the error messages state it, e.g. "an integer in 1-1000" or "a number in (0, 10]". */
export function describeLimit(limit: Limit): string {
  if (limit.integer) return `an integer in ${limit.min}-${limit.max}`;
  return `a number in ${limit.exclusiveMin ? '(' : '['}${limit.min}, ${limit.max}]`;
}

/** Whether `value` is inside the limit. */
export function withinLimit(limit: Limit, value: number): boolean {
  if (!Number.isFinite(value) || (limit.integer && !Number.isInteger(value))) return false;
  return (limit.exclusiveMin ? value > limit.min : value >= limit.min) && value <= limit.max;
}
