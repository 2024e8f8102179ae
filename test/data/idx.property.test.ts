// Properties of the IDX reader and writer on random arrays and random damage: round trips, and only BAD_DATA_FILE / BAD_ARGUMENT otherwise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, type IdxArray, type IdxDtype } from '../../src/data/idx.js';
import { bounded, byteMutations, settle } from '../helpers/properties.js';

/** The IDX spec's type codes and element sizes, written out again as the test's reference. */
const SPEC: Record<IdxDtype, { code: number; bytes: number }> = {
  uint8: { code: 0x08, bytes: 1 },
  int8: { code: 0x09, bytes: 1 },
  int16: { code: 0x0b, bytes: 2 },
  int32: { code: 0x0c, bytes: 4 },
  float32: { code: 0x0d, bytes: 4 },
  float64: { code: 0x0e, bytes: 8 },
};

const dataOf = (dtype: IdxDtype, length: number): fc.Arbitrary<IdxArray['data']> => {
  const size = { minLength: length, maxLength: length };
  switch (dtype) {
    case 'uint8':
      return fc.uint8Array(size);
    case 'int8':
      return fc.int8Array(size);
    case 'int16':
      return fc.int16Array(size);
    case 'int32':
      return fc.int32Array(size);
    case 'float32':
      return fc.float32Array(size);
    case 'float64':
      return fc.float64Array(size);
  }
};

/** Arrays of every element type, rank 1-4, each dimension 0-5 (so at most 625 elements). */
const idxArrays: fc.Arbitrary<IdxArray> = fc
  .tuple(fc.constantFrom(...(Object.keys(SPEC) as IdxDtype[])), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }))
  .chain(([dtype, shape]) => dataOf(dtype, shape.reduce((a, b) => a * b, 1)).map((data) => ({ dtype, shape, data }) as IdxArray));

/** The header of IDX bytes, read by hand: what a correct parse must report. */
function readHeader(bytes: Uint8Array): { dtype: IdxDtype; shape: number[]; byteLength: number } {
  const dtype = (Object.keys(SPEC) as IdxDtype[]).find((d) => SPEC[d].code === bytes[2])!;
  const shape = Array.from({ length: bytes[3] }, (_, i) => {
    const o = 4 + 4 * i;
    return bytes[o] * 2 ** 24 + bytes[o + 1] * 2 ** 16 + bytes[o + 2] * 2 ** 8 + bytes[o + 3];
  });
  return { dtype, shape, byteLength: 4 + 4 * shape.length + shape.reduce((a, b) => a * b, 1) * SPEC[dtype].bytes };
}

describe('IDX properties', () => {
  it('encode then parse gives back every array', () => {
    fc.assert(
      fc.property(idxArrays, (arr) => {
        const back = parseIdx(encodeIdx(arr), 'x.idx');
        expect(back.dtype).toBe(arr.dtype);
        expect(back.shape).toEqual(arr.shape);
        // toEqual compares NaN with NaN and keeps -0 apart from 0.
        expect(Array.from(back.data)).toEqual(Array.from(arr.data));
      }),
      bounded(300),
    );
  });

  it('damaged bytes give BAD_DATA_FILE naming the file, or exactly what the damaged bytes say', () => {
    fc.assert(
      fc.property(idxArrays, byteMutations, (arr, damage) => {
        const bytes = damage(encodeIdx(arr));
        const { value, error } = settle(() => parseIdx(bytes, 'damaged.idx'), ['BAD_DATA_FILE']);
        if (error) {
          expect(error.message).toMatch(/^damaged\.idx: bad IDX /);
          expect(error.hint).toBeTruthy();
          return;
        }
        // Accepted: the header says what was decoded, the length is exact, and the values re-encode to them.
        expect(value).toMatchObject({ dtype: readHeader(bytes).dtype, shape: readHeader(bytes).shape });
        expect(bytes.length).toBe(readHeader(bytes).byteLength);
        expect(Array.from(parseIdx(encodeIdx(value), 'again.idx').data)).toEqual(Array.from(value.data));
        if (!value.dtype.startsWith('float')) expect(encodeIdx(value)).toEqual(bytes);
      }),
      bounded(1500),
    );
  });

  it('random bytes give BAD_DATA_FILE or an exact parse, never a crash or a huge allocation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...Object.values(SPEC).map((s) => s.code)), fc.boolean(), (random, code, plausible) => {
        // Half the cases get a plausible start (00 00 <type code>) so that the rank, dims and length checks are reached.
        const bytes = plausible && random.length >= 3 ? Uint8Array.from([0, 0, code, ...random.slice(3)]) : random;
        const { value } = settle(() => parseIdx(bytes, 'random.idx'), ['BAD_DATA_FILE']);
        if (value) expect(bytes.length).toBe(readHeader(bytes).byteLength);
      }),
      bounded(2000),
    );
  });

  it('encodeIdx takes a consistent array or refuses it with BAD_ARGUMENT', () => {
    const anyArrays = fc.constantFrom(...(Object.keys(SPEC) as IdxDtype[])).chain((dtype) =>
      fc.record({
        dtype: fc.constant(dtype),
        shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constant(2.5), fc.constant(2 ** 32)), { maxLength: 4 }),
        data: fc.integer({ min: 0, max: 40 }).chain((length) => dataOf(dtype, length)),
      }),
    );
    fc.assert(
      fc.property(anyArrays, (arr) => {
        const { value } = settle(() => encodeIdx(arr as IdxArray), ['BAD_ARGUMENT']);
        if (value) expect(parseIdx(value, 'x.idx')).toMatchObject({ dtype: arr.dtype, shape: arr.shape });
      }),
      bounded(1000),
    );
  });
});
