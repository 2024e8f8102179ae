// `mnist-lab data fetch`: downloads a dataset into the cache (or --data-dir) with progress and verification.
import { resolve } from 'node:path';
import { fetchDataset, type FetchedFile } from '../data/fetch.js';
import { cacheDir } from '../data/locate.js';
import type { DatasetName } from '../data/types.js';
import { printJson, type CommandIo } from './io.js';

export async function dataFetchCommand(
  opts: { dataset: DatasetName; dataDir?: string; json?: boolean },
  io: CommandIo,
): Promise<FetchedFile[]> {
  const dir = opts.dataDir ? resolve(io.cwd, opts.dataDir) : cacheDir(io.env, opts.dataset);
  const log = opts.json ? io.stderr : io.stdout;
  log.write(`Fetching ${opts.dataset} into ${dir}\n`);
  let lastDraw = 0;
  const files = await fetchDataset({
    dataset: opts.dataset,
    dir,
    onProgress: ({ file, done, total }) => {
      const now = Date.now();
      if (now - lastDraw < 250 && done !== total) return;
      lastDraw = now;
      const pct = total ? ` ${((100 * done) / total).toFixed(0)}%` : '';
      log.write(`  ${file}: ${(done / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}${pct}\n`);
    },
  });
  if (opts.json) printJson(io, { dataset: opts.dataset, dir, files });
  else for (const f of files) log.write(`  ${f.name}: ${f.status === 'present' ? 'already present and valid' : `downloaded from ${f.url}`}\n`);
  return files;
}
