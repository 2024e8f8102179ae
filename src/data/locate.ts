// Finds the folder holding a dataset's four IDX files: --data-dir, then MNIST_DATA, then the user cache, then system dirs.
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LabError } from '../errors.js';
import { DATASETS, FILE_ROLES } from './datasets.js';
import type { DatasetName } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** The per-user download folder: `$XDG_CACHE_HOME/mnist-lab/<dataset>` or `~/.cache/mnist-lab/<dataset>`. */
export function cacheDir(env: Env, dataset: DatasetName): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'mnist-lab', dataset);
}

/** The path of one data file in `dir`: the raw name if present (no decompression), else `<name>.gz`, else undefined. */
export function findDataFile(dir: string, name: string): string | undefined {
  return [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
}

/** File names (without .gz) of `dataset` that `dir` lacks; empty when the folder counts as a data folder. */
export function missingFiles(dir: string, dataset: DatasetName): string[] {
  const files = DATASETS[dataset].files;
  return FILE_ROLES.map((role) => files[role].name).filter((name) => findDataFile(dir, name) === undefined);
}

/** What is wrong with `path` when it is a symbolic link that cannot be followed, e.g. "is a symbolic link to X, which does not exist". */
export function brokenLink(path: string): string | undefined {
  let target: string;
  try {
    target = readlinkSync(path);
  } catch {
    return undefined; // not a symbolic link, or nothing there at all
  }
  try {
    statSync(path);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return `is a symbolic link to ${target}, which loops back on itself`;
    if (code !== 'ENOENT') return `is a symbolic link to ${target}, which cannot be opened (${code})`;
    // The target may itself be a link that leads nowhere.
    const targetIsThere = lstatSync(resolve(dirname(path), target), { throwIfNoEntry: false }) !== undefined;
    return `is a symbolic link to ${target}, which ${targetIsThere ? 'leads nowhere' : 'does not exist'}`;
  }
}

/** A broken symbolic link standing in for data file `name` (raw or .gz) in `dir`: "<file> is a symbolic link to …". */
export function brokenDataLink(dir: string, name: string): string | undefined {
  for (const file of [name, `${name}.gz`]) {
    const why = brokenLink(join(dir, file));
    if (why) return `${file} ${why}`;
  }
  return undefined;
}

/** Why `dir` is not a data folder for `dataset`: what it lacks, and which links lead nowhere. */
function whatIsWrong(dir: string, dataset: DatasetName): string {
  if (!existsSync(dir)) return brokenLink(dir) ?? 'does not exist';
  const missing = missingFiles(dir, dataset);
  const links = missing.flatMap((name) => brokenDataLink(dir, name) ?? []);
  const lacking = missing.filter((name) => brokenDataLink(dir, name) === undefined);
  return [...(lacking.length ? [`lacks ${lacking.join(', ')}`] : []), ...links].join('; ');
}

interface Candidate {
  dir: string;
  why: string;
}

/**
 * The candidate folders in order. An explicit --data-dir is the only place looked (a wrong flag is an error, never
 * silently overridden); MNIST_DATA may be the data folder itself (mnist only, as its name says) or hold one
 * subfolder per dataset.
 */
function candidates(dataDir: string | undefined, env: Env, dataset: DatasetName): Candidate[] {
  if (dataDir !== undefined) {
    const dir = resolve(dataDir);
    return [
      { dir, why: '--data-dir' },
      { dir: join(dir, dataset), why: '--data-dir/<dataset>' },
    ];
  }
  const list: Candidate[] = [];
  if (env.MNIST_DATA) {
    const dir = resolve(env.MNIST_DATA);
    if (dataset === 'mnist') list.push({ dir, why: 'MNIST_DATA' });
    list.push({ dir: join(dir, dataset), why: 'MNIST_DATA/<dataset>' });
  }
  list.push({ dir: cacheDir(env, dataset), why: 'user cache' });
  for (const dir of DATASETS[dataset].systemDirs) list.push({ dir, why: 'system package' });
  return list;
}

/** The first folder that holds all four files of `dataset`; DATA_NOT_FOUND (exit 2) listing every place looked. */
export function locateDataDir(options: { dataDir?: string; env: Env; dataset: DatasetName }): string {
  const { dataDir, env, dataset } = options;
  const looked = candidates(dataDir, env, dataset);
  const found = looked.find((c) => missingFiles(c.dir, dataset).length === 0);
  if (found !== undefined) return found.dir;
  const places = looked.map((c) => `  ${c.dir} (${c.why}): ${whatIsWrong(c.dir, dataset)}`).join('\n');
  throw new LabError('DATA_NOT_FOUND', `no ${dataset} data found; looked in:\n${places}`, {
    hint: `run \`mnist-lab data fetch --dataset ${dataset}\`, or pass --data-dir <folder with the four IDX files (.gz or raw)>`,
    exitCode: 2,
  });
}
