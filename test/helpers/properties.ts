// Shared pieces of the property-based tests: seeded runs bounded in time, byte mutations, and "a value or one of these typed errors".
import fc from 'fast-check';
import { LabError, type LabErrorCode } from '../../src/errors.js';

/** Seeded (a failure reproduces), and bounded: a slow machine runs fewer cases rather than more seconds. */
export function bounded(numRuns: number, timeLimitMs = 3000): fc.Parameters<unknown> {
  return { seed: 20_261_201, numRuns, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false };
}

export type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: LabError };

/** Fails unless `error` is a LabError with one of `codes`: a crash (TypeError, RangeError…) never is an answer. */
function typedOnly(error: unknown, codes: readonly LabErrorCode[]): LabError {
  if (error instanceof LabError && codes.includes(error.code)) return error;
  const what = error instanceof Error ? (error.stack ?? error.message) : String(error);
  throw new Error(`expected a value or a LabError ${codes.join(' / ')}; got ${what}`);
}

/** What `run` gave: its value, or the LabError it threw with one of `codes`. */
export function settle<T>(run: () => T, codes: readonly LabErrorCode[]): Settled<T> {
  try {
    return { value: run() };
  } catch (error) {
    return { error: typedOnly(error, codes) };
  }
}

export async function settleAsync<T>(run: () => Promise<T>, codes: readonly LabErrorCode[]): Promise<Settled<T>> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: typedOnly(error, codes) };
  }
}

/** One change to a byte string: cut it short, append junk, overwrite a byte, insert or delete one. */
type ByteMutation = (bytes: Uint8Array) => Uint8Array;

/** A mutation that shows what it does in a counterexample. */
const described = (what: string, mutate: ByteMutation): ByteMutation => Object.assign(mutate, { [fc.toStringMethod]: () => what });

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.nat().map((at) => described(`cut at ${at} (mod length + 1)`, (b) => b.slice(0, at % (b.length + 1)))),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((junk) => described(`append [${junk.join(',')}]`, (b) => Uint8Array.from([...b, ...junk]))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]) =>
    described(`xor byte ${at} (mod length) with ${xor}`, (b) => {
      const out = b.slice();
      if (out.length) out[at % out.length] ^= xor;
      return out;
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) =>
    described(`insert ${byte} at ${at} (mod length + 1)`, (b) => {
      const i = at % (b.length + 1);
      return Uint8Array.from([...b.slice(0, i), byte, ...b.slice(i)]);
    }),
  ),
  fc.nat().map((at) =>
    described(`delete byte ${at} (mod length)`, (b) => (b.length ? Uint8Array.from([...b.slice(0, at % b.length), ...b.slice((at % b.length) + 1)]) : b)),
  ),
);

/** One to three byte mutations, applied in turn. */
export const byteMutations: fc.Arbitrary<ByteMutation> = fc
  .array(byteMutation, { minLength: 1, maxLength: 3 })
  .map((steps) => described(steps.map((step) => fc.stringify(step)).join(', then '), (bytes) => steps.reduce((b, step) => step(b), bytes)));
