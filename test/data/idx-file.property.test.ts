// Properties of the IDX file path (gzip or raw, on disk): round trips, and damaged gzip gives BAD_DATA_FILE or the original data, never other data.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, type IdxArray } from '../../src/data/idx.js';
import { gunzipIfNeeded, readIdxFile, writeIdxFile } from '../../src/data/idx-file.js';
import { bounded, byteMutations, settleAsync } from '../helpers/properties.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs('idx-file-property');

/** Small uint8 and float32 arrays, like the image and label files (and a float one, whose bytes are less regular). */
const arrays: fc.Arbitrary<IdxArray> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 8 })).chain(([count, side]) =>
    fc.uint8Array({ minLength: count * side * side, maxLength: count * side * side }).map((data): IdxArray => ({ dtype: 'uint8', shape: [count, side, side], data })),
  ),
  fc.float32Array({ minLength: 0, maxLength: 50 }).map((data): IdxArray => ({ dtype: 'float32', shape: [data.length], data })),
);

const sameArray = (a: IdxArray, b: IdxArray) => {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data)).toEqual(Array.from(b.data));
};

describe('IDX file properties', () => {
  it('writeIdxFile then readIdxFile gives back every array, gzip or raw', async () => {
    const dir = await tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(arrays, fc.boolean(), async (arr, gzip) => {
        const path = join(dir, `${n++}.idx${gzip ? '.gz' : ''}`);
        await writeIdxFile(path, arr, { gzip });
        sameArray(await readIdxFile(path), arr);
      }),
      bounded(60),
    );
  });

  it('damaged gzip gives BAD_DATA_FILE naming the file, or the original array: never other data', async () => {
    await fc.assert(
      fc.asyncProperty(arrays, byteMutations, async (arr, damage) => {
        const bytes = damage(gzipSync(encodeIdx(arr)));
        const { value, error } = await settleAsync(async () => parseIdx(await gunzipIfNeeded(bytes, 'damaged.gz'), 'damaged.gz'), ['BAD_DATA_FILE']);
        if (error) expect(error.message).toMatch(/^damaged\.gz: /);
        // A change that gzip does not guard (its time stamp, junk after the end) leaves the data as it was;
        // any change to the compressed data fails its CRC-32.
        else sameArray(value, arr);
      }),
      bounded(1500),
    );
  });

  it('a damaged file on disk gives BAD_DATA_FILE naming its path, or the original array', async () => {
    const dir = await tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(arrays, fc.boolean(), byteMutations, async (arr, gzip, damage) => {
        const path = join(dir, `${n++}.idx`);
        await writeFile(path, damage(gzip ? gzipSync(encodeIdx(arr)) : encodeIdx(arr)));
        const { value, error } = await settleAsync(() => readIdxFile(path), ['BAD_DATA_FILE']);
        if (error) expect(error.message.startsWith(`${path}: `)).toBe(true);
        else if (gzip) sameArray(value, arr);
      }),
      bounded(150),
    );
  });
});
