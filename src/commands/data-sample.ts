// `mnist-lab data sample`: test digits written in the codelab's digits.json format, ready for `predict` or the API.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadDataset } from '../data/load.js';
import { locateDataDir } from '../data/locate.js';
import { toBatch } from '../data/pipeline.js';
import type { DatasetName } from '../data/types.js';
import { badArgument, LabError } from '../errors.js';
import { imageRows } from '../predict/image-rows.js';
import type { CommandIo } from './io.js';

export interface DataSampleOptions {
  dataset: DatasetName;
  dataDir?: string;
  /** Digits to write, from test digit `start` on. */
  count: number;
  start: number;
  /** A new file to write (an existing one is refused); default stdout. */
  out?: string;
}

/** Writes one `{"image": 28×28}` object per line (pixels / 256, as training scales them); returns the labels. */
export async function dataSampleCommand(opts: DataSampleOptions, io: CommandIo): Promise<number[]> {
  const dir = locateDataDir({ dataDir: opts.dataDir, env: io.env, dataset: opts.dataset });
  const { test, classNames } = await loadDataset({ dir, dataset: opts.dataset, limit: 1 });
  if (opts.start + opts.count > test.count) {
    throw badArgument('--start + --count', `at most the ${test.count} test digits`, opts.start + opts.count, 'lower --start or --count');
  }
  const { xs, labels } = toBatch(test, opts.start, opts.count);
  const lines = Array.from({ length: opts.count }, (_, i) => `${JSON.stringify({ image: imageRows(xs, i) })}\n`);
  const labelList = Array.from(labels);
  const described = labelList.map((label) => classNames[label]).join(', ');
  if (opts.out === undefined) {
    io.stdout.write(lines.join(''));
    io.stderr.write(`${opts.count} ${opts.dataset} test digits from #${opts.start}: ${described}\n`);
  } else {
    const path = resolve(io.cwd, opts.out);
    // 'wx': a file already there is the user's, never written over.
    await writeFile(path, lines.join(''), { flag: 'wx' }).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'EEXIST') {
        throw new LabError('OUTPUT_EXISTS', `--out ${path} already exists; data sample writes only new files`, { hint: 'nothing was written; choose another --out, or move the file away first', cause });
      }
      throw new LabError('BAD_ARGUMENT', `--out ${path} cannot be written: ${cause.code ?? cause.message}`, {
        hint: 'is a folder on its path a file or missing, or the file not writable? choose another --out',
        cause,
      });
    });
    io.stdout.write(`wrote ${opts.count} ${opts.dataset} test digits from #${opts.start} to ${path}: ${described}\n`);
  }
  return labelList;
}
