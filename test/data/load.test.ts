// Loading a data folder: shapes, counts, labels, limits and checksums are checked, with errors naming the file.
import { rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeIdxFile } from '../../src/data/idx-file.js';
import { loadDataset } from '../../src/data/load.js';
import { PIXELS } from '../../src/data/types.js';
import { imagesArray, indexedDigits, labelsArray, writeDataset } from '../helpers/digit-files.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs('load');

async function fixtureDir(options: { gzip?: boolean } = {}): Promise<string> {
  const dir = await tempDir();
  await writeDataset(dir, { train: 30, test: 12, ...options });
  return dir;
}

describe('loadDataset', () => {
  it('loads gzip and raw folders into digit sets', async () => {
    for (const gzip of [true, false]) {
      const dir = await fixtureDir({ gzip });
      const data = await loadDataset({ dir, dataset: 'mnist' });
      expect(data.name).toBe('mnist');
      expect(data.dir).toBe(dir);
      expect(data.classNames).toHaveLength(10);
      expect(data.train.count).toBe(30);
      expect(data.test.count).toBe(12);
      expect(data.train.images).toEqual(indexedDigits(30).images);
      expect(data.test.labels).toEqual(indexedDigits(12).labels);
    }
  });

  it('keeps the first N digits with limit and testLimit', async () => {
    const data = await loadDataset({ dir: await fixtureDir(), dataset: 'fashion', limit: 7, testLimit: 5 });
    expect(data.classNames[7]).toBe('Sneaker');
    expect([data.train.count, data.train.labels.length, data.train.images.length]).toEqual([7, 7, 7 * PIXELS]);
    expect(data.train.images).toEqual(indexedDigits(7).images);
    expect(data.test.count).toBe(5);
    const all = await loadDataset({ dir: await fixtureDir(), dataset: 'mnist', limit: 1000 });
    expect(all.train.count).toBe(30);
  });

  it('rejects a limit that is not a positive integer', async () => {
    const dir = await fixtureDir();
    await expect(loadDataset({ dir, dataset: 'mnist', limit: 0 })).rejects.toThrow('--limit must be a positive integer; got 0');
    await expect(loadDataset({ dir, dataset: 'mnist', testLimit: 2.5 })).rejects.toThrow(/--test-limit/);
  });

  it('names both files and counts when images and labels disagree', async () => {
    const dir = await fixtureDir();
    const labels = join(dir, 'train-labels-idx1-ubyte.gz');
    await writeIdxFile(labels, labelsArray(indexedDigits(29)), { gzip: true });
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: `${join(dir, 'train-images-idx3-ubyte.gz')} holds 30 images but ${labels} holds 29 labels; the counts must match`,
    });
  });

  it('names the file, index and value of a label out of range', async () => {
    const dir = await fixtureDir();
    const set = indexedDigits(12);
    set.labels[7] = 10;
    const path = join(dir, 't10k-labels-idx1-ubyte.gz');
    await writeIdxFile(path, labelsArray(set), { gzip: true });
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: `${path}: label at index 7 is 10; labels must be 0-9`,
    });
  });

  it('refuses images that are not 28×28 uint8, and labels of the wrong rank', async () => {
    const dir = await fixtureDir();
    const images = join(dir, 'train-images-idx3-ubyte.gz');
    await writeIdxFile(images, { dtype: 'uint8', shape: [30, 28, 27], data: new Uint8Array(30 * 28 * 27) }, { gzip: true });
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: `${images}: images must be uint8 [count, 28, 28]; found uint8 [30, 28, 27]`,
    });
    await writeIdxFile(images, { dtype: 'uint8', shape: [30, 784], data: new Uint8Array(30 * 784) }, { gzip: true });
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toThrow(/found uint8 \[30, 784\]/);
    await writeIdxFile(images, imagesArray(indexedDigits(30)), { gzip: true });
    const labels = join(dir, 'train-labels-idx1-ubyte.gz');
    await writeIdxFile(labels, { dtype: 'uint8', shape: [30, 1], data: new Uint8Array(30) }, { gzip: true });
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toThrow(`${labels}: labels must be uint8 [count]; found uint8 [30, 1]`);
  });

  it.each([
    ['train-images-idx3-ubyte.gz', () => imagesArray(indexedDigits(0)), 'holds no images'],
    ['t10k-images-idx3-ubyte.gz', () => imagesArray(indexedDigits(0)), 'holds no images'],
    ['train-labels-idx1-ubyte.gz', () => labelsArray(indexedDigits(0)), 'holds no labels'],
    ['t10k-labels-idx1-ubyte.gz', () => labelsArray(indexedDigits(0)), 'holds no labels'],
  ])('refuses an empty %s, naming it', async (name, empty, what) => {
    const dir = await fixtureDir();
    const path = join(dir, name);
    await writeIdxFile(path, empty(), { gzip: true });
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: expect.stringContaining(`${path}: ${what}`),
    });
  });

  it('refuses a zero-byte file, naming it', async () => {
    const dir = await fixtureDir({ gzip: false });
    const path = join(dir, 't10k-images-idx3-ubyte');
    await writeFile(path, '');
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: expect.stringContaining(`${path}: `),
    });
  });

  it('verifies SHA-256 against the catalogue when asked', async () => {
    const dir = await fixtureDir();
    await expect(loadDataset({ dir, dataset: 'mnist' })).resolves.toBeDefined();
    await expect(loadDataset({ dir, dataset: 'mnist', verify: true })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(/SHA-256 of the decompressed data is [0-9a-f]{64}, expected [0-9a-f]{64} \([a-z0-9-]+-idx\d-ubyte\)$/),
    });
  });

  it('names a dangling symbolic link instead of calling the file missing', async () => {
    const dir = await fixtureDir();
    const link = join(dir, 'train-images-idx3-ubyte.gz');
    await rm(link);
    await symlink('/nonexistent/train-images-idx3-ubyte.gz', link);
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'DATA_NOT_FOUND',
      message: `${link} is a symbolic link to /nonexistent/train-images-idx3-ubyte.gz, which does not exist`,
    });
  });

  it('says which file is missing', async () => {
    const dir = await fixtureDir();
    await rm(join(dir, 't10k-images-idx3-ubyte.gz'));
    await expect(loadDataset({ dir, dataset: 'mnist' })).rejects.toMatchObject({
      code: 'DATA_NOT_FOUND',
      message: `${join(dir, 't10k-images-idx3-ubyte')}(.gz) does not exist`,
    });
  });
});
