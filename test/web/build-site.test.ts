// npm run build:site without MNIST: the CLI's DATA_NOT_FOUND (exit 2), listing where it looked, before any build work.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../web/lab/build-site.js';

describe('buildSite', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to build without the MNIST files, naming the folder it looked in', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mnist-lab-site-nodata-'));
    const empty = join(dir, 'no-data');
    await expect(buildSite({ outDir: join(dir, 'site'), dataDir: empty, log: () => {} })).rejects.toMatchObject({
      code: 'DATA_NOT_FOUND',
      exitCode: 2,
      message: expect.stringContaining(`${empty} (--data-dir): does not exist`),
    });
    expect(await readdir(dir)).toEqual([]); // nothing was built
  });
});
