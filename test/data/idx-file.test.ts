// IDX files on disk: gzip detected by content, truncated or corrupt gzip rejected quickly, atomic writes.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, type IdxArray } from '../../src/data/idx.js';
import { readIdxFile, writeIdxFile } from '../../src/data/idx-file.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs('idxfile');
const arr: IdxArray = { dtype: 'int32', shape: [3, 2], data: new Int32Array([1, -2, 3, 400000, 5, 6]) };

describe('readIdxFile / writeIdxFile', () => {
  it('round-trips raw and gzip files, leaving no temporary files', async () => {
    const dir = await tempDir();
    await writeIdxFile(join(dir, 'a.idx'), arr);
    await writeIdxFile(join(dir, 'nested', 'b.idx.gz'), arr, { gzip: true });
    expect(await readIdxFile(join(dir, 'a.idx'))).toEqual(arr);
    expect(await readIdxFile(join(dir, 'nested', 'b.idx.gz'))).toEqual(arr);
    expect((await readFile(join(dir, 'nested', 'b.idx.gz'))).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect((await readdir(dir)).sort()).toEqual(['a.idx', 'nested']);
    expect(await readdir(join(dir, 'nested'))).toEqual(['b.idx.gz']);
  });

  it('detects gzip by its magic bytes, not by the file name', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'raw-named.idx'), gzipSync(encodeIdx(arr)));
    await writeFile(join(dir, 'gz-named.gz'), encodeIdx(arr));
    expect(await readIdxFile(join(dir, 'raw-named.idx'))).toEqual(arr);
    expect(await readIdxFile(join(dir, 'gz-named.gz'))).toEqual(arr);
  });

  it('rejects a truncated gzip with BAD_DATA_FILE naming the file', async () => {
    const dir = await tempDir();
    const gz = gzipSync(encodeIdx({ dtype: 'uint8', shape: [5000], data: new Uint8Array(5000).map((_, i) => i * 31) }));
    const path = join(dir, 'cut.gz');
    await writeFile(path, gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(readIdxFile(path)).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: expect.stringMatching(new RegExp(`^${path}: corrupt or truncated gzip`)),
      hint: expect.stringMatching(/mnist-lab data fetch/),
    });
  });

  it('rejects a gzip whose data was damaged (CRC)', async () => {
    const dir = await tempDir();
    const gz = gzipSync(encodeIdx(arr), { level: 0 });
    gz[gz.length - 12] ^= 0xff; // a stored data byte: inflates fine, fails the CRC
    await writeFile(join(dir, 'bad.gz'), gz);
    await expect(readIdxFile(join(dir, 'bad.gz'))).rejects.toMatchObject({ code: 'BAD_DATA_FILE' });
  });

  it('reports a missing file as DATA_NOT_FOUND with its path', async () => {
    const dir = await tempDir();
    await expect(readIdxFile(join(dir, 'nope'))).rejects.toMatchObject({
      code: 'DATA_NOT_FOUND',
      message: expect.stringContaining(join(dir, 'nope')),
    });
  });
});
