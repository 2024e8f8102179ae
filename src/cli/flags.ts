// Flag value parsers for the CLI: each rejects a bad value with the flag's name, the rule and the value.
import { badArgument } from '../errors.js';

export function intFlag(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw badArgument(flag, `an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`, value);
    }
    return n;
  };
}

export function floatFlag(flag: string, min: number, max: number, exclusiveMin = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const tooLow = exclusiveMin ? n <= min : n < min;
    if (value.trim() === '' || !Number.isFinite(n) || tooLow || n > max) {
      throw badArgument(flag, `a number ${exclusiveMin ? '>' : '≥'} ${min} and ≤ ${max}`, value);
    }
    return n;
  };
}

export function choiceFlag<T extends string>(flag: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw badArgument(flag, `one of ${choices.join(', ')}`, value);
    return value as T;
  };
}

/** Comma-separated list, e.g. --presets 01-softmax,03-relu-adam. */
export const listFlag = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
