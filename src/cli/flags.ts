// Flag value parsers for the CLI: each rejects a bad value with the flag's name, the rule and the value.
import { badArgument } from '../errors.js';
import type { Limit } from '../run/limits.js';

/** Decimal notation only: Number() alone would also take 0x1, 0b1, 0o7, Infinity and surrounding spaces. */
const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A round value the rule accepts, for the hint's example (the bounds themselves when no round one fits). */
function example(min: number, max: number, exclusiveMin: boolean, integer: boolean): number {
  const round = integer ? [10, 1, 100, 1000] : [0.01, 0.1, 0.5, 1, 10, 0.001, 0];
  const fits = (x: number) => (exclusiveMin ? x > min : x >= min) && x <= max;
  return round.find(fits) ?? (fits(min) ? min : max);
}

const hint = (flag: string, value: number) => `write it in decimal within that range, e.g. ${flag} ${value}`;

export function intFlag(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!DECIMAL_INTEGER.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw badArgument(flag, `a decimal integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`, value, hint(flag, example(min, max, false, true)));
    }
    return n;
  };
}

export function floatFlag(flag: string, min: number, max: number, exclusiveMin = false): (value: string) => number {
  const bounds = [
    Number.isFinite(min) ? `${exclusiveMin ? '>' : '≥'} ${min}` : '',
    Number.isFinite(max) ? `≤ ${max}` : '',
  ].filter(Boolean);
  const rule = ['a decimal number', bounds.join(' and ')].filter(Boolean).join(' ');
  return (value) => {
    const n = Number(value);
    const tooLow = exclusiveMin ? n <= min : n < min;
    if (!DECIMAL_NUMBER.test(value) || !Number.isFinite(n) || tooLow || n > max) throw badArgument(flag, rule, value, hint(flag, example(min, max, exclusiveMin, false)));
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

/** A parser for a flag checked against a row of the training limits table (src/run/limits.ts). */
export function limitFlag(flag: string, limit: Limit): (value: string) => number {
  return limit.integer ? intFlag(flag, limit.min, limit.max) : floatFlag(flag, limit.min, limit.max, limit.exclusiveMin ?? false);
}

/** `--hp-<key> <x>` and `--hp-<key>=<x>` pairs taken out of argv (the knobs a lab file declares), the rest left. */
export function extractHyperparameterFlags(argv: readonly string[]): { argv: string[]; hp: Record<string, number> } {
  const rest: string[] = [];
  const hp: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--hp-([A-Za-z][\w-]*)(?:=(.*))?$/.exec(argv[i]);
    if (!match) {
      rest.push(argv[i]);
      continue;
    }
    const flag = `--hp-${match[1]}`;
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw badArgument(flag, 'followed by a number', null, `e.g. ${flag} 0.5`);
    hp[match[1]] = floatFlag(flag, -Infinity, Infinity)(value);
  }
  return { argv: rest, hp };
}
