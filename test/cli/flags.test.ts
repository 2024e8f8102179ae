// The numeric flag parsers take decimal notation only; everything else is BAD_ARGUMENT naming the flag, the rule and the value.
import { describe, expect, it } from 'vitest';
import { floatFlag, intFlag } from '../../src/cli/flags.js';
import { LabError } from '../../src/errors.js';

/** The error a parser throws for `value`, or undefined when it accepts it. */
function rejection(parse: (value: string) => number, value: string): LabError | undefined {
  try {
    parse(value);
    return undefined;
  } catch (error) {
    return error as LabError;
  }
}

const NOT_DECIMAL = ['0x1', '0X10', '0b1', '0o7', '', ' ', 'Infinity', '-Infinity', 'NaN', '1abc', '1.2.3', ' 1', '1 ', '1_000', '1e', 'e5', '--1'];

describe('floatFlag', () => {
  const lr = floatFlag('--lr', 0, 10, true);

  it.each([
    ['0.5', 0.5],
    ['1', 1],
    ['1e-3', 0.001],
    ['2.5E0', 2.5],
    ['.5', 0.5],
    ['5.', 5],
    ['+2', 2],
    ['10', 10],
  ])('takes %j as %d', (value, expected) => {
    expect(lr(value)).toBe(expected);
  });

  it.each(NOT_DECIMAL)('refuses %j: not a decimal number', (value) => {
    const error = rejection(lr, value);
    expect(error).toBeInstanceOf(LabError);
    expect(error?.code).toBe('BAD_ARGUMENT');
    expect(error?.message).toBe(`--lr must be a decimal number > 0 and ≤ 10; got ${JSON.stringify(value)}`);
    expect(error?.hint).toBe('write it in decimal within that range, e.g. --lr 0.01');
  });

  it.each(['0', '-1', '10.5', '1e3'])('refuses %j: out of range', (value) => {
    expect(rejection(lr, value)?.message).toBe(`--lr must be a decimal number > 0 and ≤ 10; got ${JSON.stringify(value)}`);
  });

  it('states an unbounded rule without infinities', () => {
    const hp = floatFlag('--hp-lr0', -Infinity, Infinity);
    expect(hp('-3.5')).toBe(-3.5);
    expect(rejection(hp, '0x1')?.message).toBe('--hp-lr0 must be a decimal number; got "0x1"');
  });
});

describe('intFlag', () => {
  const epochs = intFlag('--epochs', 1, 10_000);

  it.each([
    ['1', 1],
    ['10000', 10_000],
    ['007', 7],
  ])('takes %j as %d', (value, expected) => {
    expect(epochs(value)).toBe(expected);
  });

  it.each([...NOT_DECIMAL, '2.0', '1e3', '0', '10001', '-1'])('refuses %j', (value) => {
    const error = rejection(epochs, value);
    expect(error?.code).toBe('BAD_ARGUMENT');
    expect(error?.message).toBe(`--epochs must be a decimal integer from 1 to 10000; got ${JSON.stringify(value)}`);
    expect(error?.hint).toBe('write it in decimal within that range, e.g. --epochs 10');
  });

  it('gives an example the rule accepts, whatever the range', () => {
    for (const [parse, range] of [
      [intFlag('--start', 0, 9_999), [0, 9_999]],
      [intFlag('--count', 20, 30), [20, 30]],
      [intFlag('--port', 1, 1)],
      [floatFlag('--dropout', 0, 0.95), [0, 0.95]],
      [floatFlag('--momentum', 0.99, 1, true), [0.99, 1]],
      [floatFlag('--scale', -5, -2), [-5, -2]],
    ] as const) {
      const example = Number(/e\.g\. \S+ (\S+)$/.exec(rejection(parse, 'x')?.hint ?? '')?.[1]);
      expect(parse(String(example)), String(range)).toBe(example);
    }
  });
});
