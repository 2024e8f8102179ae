// IDX encode/parse round-trips every element type and rejects every malformed header or length with a clear error.
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, type IdxArray } from '../../src/data/idx.js';
import { LabError } from '../../src/errors.js';

const samples: IdxArray[] = [
  { dtype: 'uint8', shape: [2, 3], data: new Uint8Array([0, 1, 127, 128, 254, 255]) },
  { dtype: 'int8', shape: [4], data: new Int8Array([-128, -1, 0, 127]) },
  { dtype: 'int16', shape: [2, 2], data: new Int16Array([-32768, -2, 258, 32767]) },
  { dtype: 'int32', shape: [3], data: new Int32Array([-2147483648, 16909060, 2147483647]) },
  { dtype: 'float32', shape: [1, 1, 3], data: new Float32Array([-1.5, 3.25, 1e-30]) },
  { dtype: 'float64', shape: [2], data: new Float64Array([Math.PI, -1e300]) },
];

/** Catches the LabError thrown by fn. */
function errorOf(fn: () => unknown): LabError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LabError);
    return error as LabError;
  }
  throw new Error('expected a LabError, nothing was thrown');
}

describe('IDX round-trip', () => {
  for (const arr of samples) {
    it(`${arr.dtype} ${JSON.stringify(arr.shape)}`, () => {
      const bytes = encodeIdx(arr);
      const back = parseIdx(bytes, 'x.idx');
      expect(back.dtype).toBe(arr.dtype);
      expect(back.shape).toEqual(arr.shape);
      expect(back.data).toEqual(arr.data);
    });
  }

  it('writes the header and big-endian values byte for byte', () => {
    const bytes = encodeIdx({ dtype: 'int16', shape: [2], data: new Int16Array([258, -2]) });
    expect(Array.from(bytes)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
  });

  it('parses a view into a larger buffer (uint8 data is not copied)', () => {
    const inner = encodeIdx(samples[0]);
    const outer = new Uint8Array(inner.length + 10);
    outer.set(inner, 5);
    const back = parseIdx(outer.subarray(5, 5 + inner.length), 'x');
    expect(back.data).toEqual(samples[0].data);
    expect(back.data.buffer).toBe(outer.buffer);
  });

  it('refuses to encode a shape that does not match the data', () => {
    expect(() => encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).toThrow(/holds 4 elements; data has 3/);
    expect(() => encodeIdx({ dtype: 'uint8', shape: [], data: new Uint8Array(1) })).toThrow(/rank/);
    expect(() => encodeIdx({ dtype: 'uint8', shape: [-1], data: new Uint8Array(1) })).toThrow(/dims/);
  });
});

describe('malformed IDX', () => {
  const good = encodeIdx({ dtype: 'uint8', shape: [2, 28, 28], data: new Uint8Array(2 * 784) });
  const patched = (at: number, value: number) => {
    const bytes = good.slice();
    bytes[at] = value;
    return bytes;
  };

  it('wrong magic', () => {
    const error = errorOf(() => parseIdx(patched(1, 8), 'data/train-images-idx3-ubyte'));
    expect(error.code).toBe('BAD_DATA_FILE');
    expect(error.message).toBe('data/train-images-idx3-ubyte: bad IDX magic: expected 0x00 0x00 as the first two bytes, found 0x00 0x08');
    expect(error.hint).toMatch(/mnist-lab data fetch/);
  });

  it('unknown type code', () => {
    expect(errorOf(() => parseIdx(patched(2, 0x0a), 'f')).message).toMatch(/f: bad IDX type code: expected one of 0x08 \(uint8\).*found 0x0a/);
  });

  it('rank 0 and a header shorter than the rank needs', () => {
    expect(errorOf(() => parseIdx(patched(3, 0), 'f')).message).toMatch(/bad IDX rank: expected at least 1 dimension, found 0/);
    expect(errorOf(() => parseIdx(good.subarray(0, 10), 'f')).message).toMatch(/bad IDX header: expected 16 bytes for rank 3, found 10 bytes/);
    expect(errorOf(() => parseIdx(new Uint8Array([0, 0]), 'f')).message).toMatch(/expected at least 4 bytes, found 2 bytes/);
  });

  it('truncated data (too short)', () => {
    const error = errorOf(() => parseIdx(good.subarray(0, good.length - 1), 'f'));
    expect(error.message).toBe('f: bad IDX byte length (truncated): expected 1584 bytes for uint8 [2, 28, 28], found 1583 bytes');
  });

  it('trailing bytes (too long)', () => {
    const long = new Uint8Array(good.length + 3);
    long.set(good);
    expect(errorOf(() => parseIdx(long, 'f')).message).toMatch(/byte length \(trailing bytes\): expected 1584 bytes.*found 1587 bytes/);
  });

  it('a rank that reads dims from the data (wrong rank)', () => {
    // Rank 2 reads the header as [2, 28] and leaves the rest over; rank 4 takes pixel bytes as a 4th dim.
    expect(errorOf(() => parseIdx(patched(3, 2), 'f')).message).toMatch(/\(trailing bytes\): expected 68 bytes for uint8 \[2, 28\]/);
    expect(errorOf(() => parseIdx(patched(3, 4), 'f')).message).toMatch(/expected 20 bytes for uint8 \[2, 28, 28, 0\]/);
  });
});
