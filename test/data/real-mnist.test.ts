// The real data files: shared/data/mnist (and Debian's Fashion-MNIST when installed) load whole, verified against the catalogue, and are known for what they are.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import { locateDataDir } from '../../src/data/locate.js';
import { PIXELS } from '../../src/data/types.js';
import { FASHION_DIR, MNIST_DIR } from '../helpers/paths.js';

describe('real MNIST', () => {
  it('loads 60,000 + 10,000 digits with checksums ok and labels 0-9', async () => {
    const dir = locateDataDir({ dataDir: MNIST_DIR, env: {}, dataset: 'mnist' });
    const data = await loadDataset({ dir, dataset: 'mnist', verify: true });
    expect([data.train.count, data.test.count]).toEqual([60000, 10000]);
    expect(data.train.images.length).toBe(60000 * PIXELS);
    expect(data.test.images.length).toBe(10000 * PIXELS);
    for (const set of [data.train, data.test]) {
      const perClass = new Array(10).fill(0);
      for (const label of set.labels) perClass[label]++;
      expect(Math.min(...perClass)).toBeGreaterThan(set.count * 0.08); // every digit well represented
    }
    // The canonical first labels: 5 0 4 1 9 (train) and 7 2 1 0 4 (test).
    expect(Array.from(data.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(data.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });
});

describe.skipIf(!existsSync(FASHION_DIR))('real Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('loads from the package folder with the catalogue checksums', async () => {
    const data = await loadDataset({ dir: FASHION_DIR, dataset: 'fashion', verify: true, limit: 10 });
    expect([data.train.count, data.test.count]).toEqual([10, 10000]);
    expect(data.classNames[data.train.labels[0]]).toBe('Ankle boot'); // the first training article
  });
});

describe('a folder holding another catalogued dataset than --dataset', () => {
  it('refuses MNIST files loaded as Fashion-MNIST, saying which dataset they are', async () => {
    await expect(loadDataset({ dir: MNIST_DIR, dataset: 'fashion', limit: 10 })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/^expected fashion data, but \S+\/(train|t10k)-labels-idx1-ubyte\.gz is the mnist dataset's (train|t10k)-labels-idx1-ubyte \(by its SHA-256\)$/),
      hint: expect.stringContaining('--dataset mnist'),
    });
  });

  it.skipIf(!existsSync(FASHION_DIR))('refuses Fashion-MNIST files loaded as MNIST', async () => {
    await expect(loadDataset({ dir: FASHION_DIR, dataset: 'mnist', limit: 10 })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining("is the fashion dataset's"),
    });
  });
});
