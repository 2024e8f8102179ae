// Data folder lookup: --data-dir, then MNIST_DATA, then the user cache (then system dirs); errors list every place.
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../src/data/datasets.js';
import { cacheDir, locateDataDir } from '../../src/data/locate.js';
import { LabError } from '../../src/errors.js';
import { FASHION_DIR } from '../helpers/paths.js';
import { writeDataset } from '../helpers/digit-files.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs('locate');

/** A folder with three places that all hold a dataset: flag/, env/ and the XDG cache. */
async function threePlaces() {
  const root = await tempDir();
  const flag = join(root, 'flag');
  const env = join(root, 'env');
  const xdg = join(root, 'xdg');
  for (const dir of [flag, env, join(xdg, 'mnist-lab', 'mnist')]) await writeDataset(dir, { train: 3, test: 2 });
  return { root, flag, env, xdg };
}

describe('locateDataDir', () => {
  it('prefers --data-dir, then MNIST_DATA, then the cache', async () => {
    const { flag, env, xdg } = await threePlaces();
    const vars = { MNIST_DATA: env, XDG_CACHE_HOME: xdg };
    expect(locateDataDir({ dataDir: flag, env: vars, dataset: 'mnist' })).toBe(flag);
    expect(locateDataDir({ env: vars, dataset: 'mnist' })).toBe(env);
    expect(locateDataDir({ env: { XDG_CACHE_HOME: xdg }, dataset: 'mnist' })).toBe(join(xdg, 'mnist-lab', 'mnist'));
  });

  it('falls through an MNIST_DATA that lacks the files, but never overrides an explicit --data-dir', async () => {
    const { root, xdg } = await threePlaces();
    const empty = join(root, 'empty');
    await mkdir(empty);
    expect(locateDataDir({ env: { MNIST_DATA: empty, XDG_CACHE_HOME: xdg }, dataset: 'mnist' })).toBe(join(xdg, 'mnist-lab', 'mnist'));
    expect(() => locateDataDir({ dataDir: empty, env: { XDG_CACHE_HOME: xdg }, dataset: 'mnist' })).toThrow(/no mnist data found/);
  });

  it('accepts per-dataset subfolders of --data-dir and MNIST_DATA, and raw files', async () => {
    const root = await tempDir();
    await writeDataset(join(root, 'fashion'), { dataset: 'fashion', gzip: false });
    expect(locateDataDir({ dataDir: root, env: {}, dataset: 'fashion' })).toBe(join(root, 'fashion'));
    expect(locateDataDir({ env: { MNIST_DATA: root }, dataset: 'fashion' })).toBe(join(root, 'fashion'));
  });

  it('does not take MNIST_DATA holding MNIST as Fashion-MNIST', async () => {
    const { env, xdg } = await threePlaces();
    let found: string | undefined;
    try {
      found = locateDataDir({ env: { MNIST_DATA: env, XDG_CACHE_HOME: xdg }, dataset: 'fashion' });
    } catch (error) {
      expect((error as LabError).message).not.toContain('(MNIST_DATA)');
    }
    // Where Debian's dataset-fashion-mnist is installed, its folder is found instead.
    if (found !== undefined) expect(found).toBe(DATASETS.fashion.systemDirs[0]);
  });

  it.skipIf(!existsSync(FASHION_DIR))('finds Fashion-MNIST in the Debian package folder last', async () => {
    const empty = await tempDir();
    expect(locateDataDir({ env: { MNIST_DATA: empty, XDG_CACHE_HOME: empty }, dataset: 'fashion' })).toBe(FASHION_DIR);
  });

  it('names a dangling symbolic link and its missing target instead of calling the file missing', async () => {
    const root = await tempDir();
    const dir = join(root, 'data');
    await writeDataset(dir, { train: 3, test: 2 });
    const link = join(dir, 't10k-images-idx3-ubyte.gz');
    await rm(link);
    await symlink(join(root, 'moved', 't10k-images-idx3-ubyte.gz'), link);
    expect(() => locateDataDir({ dataDir: dir, env: {}, dataset: 'mnist' })).toThrow(
      `  ${dir} (--data-dir): t10k-images-idx3-ubyte.gz is a symbolic link to ${join(root, 'moved', 't10k-images-idx3-ubyte.gz')}, which does not exist`,
    );
  });

  it('names a symbolic link loop', async () => {
    const dir = await tempDir();
    await writeDataset(dir, { train: 3, test: 2 });
    await rm(join(dir, 'train-labels-idx1-ubyte.gz'));
    await symlink('loop-b', join(dir, 'train-labels-idx1-ubyte.gz'));
    await symlink('train-labels-idx1-ubyte.gz', join(dir, 'loop-b'));
    expect(() => locateDataDir({ dataDir: dir, env: {}, dataset: 'mnist' })).toThrow(
      `  ${dir} (--data-dir): train-labels-idx1-ubyte.gz is a symbolic link to loop-b, which loops back on itself`,
    );
  });

  it('names a data folder that is a dangling symbolic link', async () => {
    const root = await tempDir();
    const dir = join(root, 'data');
    await symlink(join(root, 'gone'), dir);
    expect(() => locateDataDir({ dataDir: dir, env: {}, dataset: 'mnist' })).toThrow(
      `  ${dir} (--data-dir): is a symbolic link to ${join(root, 'gone')}, which does not exist`,
    );
  });

  it('uses ~/.cache when XDG_CACHE_HOME is unset', () => {
    expect(cacheDir({ HOME: '/home/ada' }, 'fashion')).toBe('/home/ada/.cache/mnist-lab/fashion');
    expect(cacheDir({ HOME: '/home/ada', XDG_CACHE_HOME: '/x' }, 'mnist')).toBe('/x/mnist-lab/mnist');
  });

  it('fails with DATA_NOT_FOUND listing every place looked, what each lacks, and the fix', async () => {
    const root = await tempDir();
    const partial = join(root, 'partial');
    await writeDataset(partial, { train: 3, test: 2 });
    await rm(join(partial, 't10k-labels-idx1-ubyte.gz'));
    let error: LabError | undefined;
    try {
      locateDataDir({ env: { MNIST_DATA: partial, XDG_CACHE_HOME: join(root, 'cache') }, dataset: 'mnist' });
    } catch (e) {
      error = e as LabError;
    }
    expect(error).toBeInstanceOf(LabError);
    expect(error?.code).toBe('DATA_NOT_FOUND');
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe(
      [
        'no mnist data found; looked in:',
        `  ${partial} (MNIST_DATA): lacks t10k-labels-idx1-ubyte`,
        `  ${join(partial, 'mnist')} (MNIST_DATA/<dataset>): does not exist`,
        `  ${join(root, 'cache', 'mnist-lab', 'mnist')} (user cache): does not exist`,
      ].join('\n'),
    );
    expect(error?.hint).toContain('mnist-lab data fetch --dataset mnist');
    expect(error?.hint).toContain('--data-dir');
  });
});
