// Claims an output folder or file for a command: new or empty is taken; with --force only what mnist-lab made is replaced.
import { lstat, mkdir, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LabError } from '../errors.js';
import { LAB_ENTRIES, PAGE_MARKER, RUN_ENTRIES, runFiles } from './layout.js';

/** What kind of folder a command writes; each kind knows the names it makes (a study folder is never replaced). */
export type OutputKind = 'run' | 'lab' | 'study';

export interface ClaimOptions {
  kind: OutputKind;
  /** Replace an existing folder of the same kind (only the entries mnist-lab made). */
  force: boolean;
  /** The user's working folder: it and its ancestors are never claimed. */
  cwd: string;
  /** The flag that named the folder, for messages (e.g. "--out"). */
  flag: string;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** The folder, or null when nothing is there; a file or symlink in its place is refused. */
async function inspect(dir: string, flag: string): Promise<string[] | null> {
  let info;
  try {
    info = await lstat(dir);
  } catch (error) {
    if (isMissing(error)) return null;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new LabError('OUTPUT_EXISTS', `${flag} ${dir} lies below an existing file, not a folder`, { hint: `choose another ${flag}` });
    }
    throw error;
  }
  if (info.isSymbolicLink()) {
    throw new LabError('OUTPUT_EXISTS', `${flag} ${dir} is a symbolic link; mnist-lab writes only into real folders`, {
      hint: `pass the folder the link points to (${await realpath(dir).catch(() => 'a dangling link')}), or another ${flag}`,
    });
  }
  if (!info.isDirectory()) {
    throw new LabError('OUTPUT_EXISTS', `${flag} ${dir} is an existing file, not a folder`, { hint: `choose another ${flag}` });
  }
  return readdir(dir);
}

/** Whether `dir` is `cwd` itself or one of its ancestors (compared after resolving symlinks). */
async function holdsCwd(dir: string, cwd: string): Promise<boolean> {
  const real = await realpath(dir).catch(() => resolve(dir));
  const here = await realpath(cwd).catch(() => resolve(cwd));
  const rel = relative(real, here);
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** Entries of a folder that a run of the given kind did not make (empty: the folder is entirely ours). */
async function foreignEntries(dir: string, kind: 'run' | 'lab'): Promise<string[]> {
  const entries = await readdir(dir);
  if (kind === 'run') return entries.filter((name) => !RUN_ENTRIES.includes(name));
  const foreign: string[] = [];
  for (const name of entries) {
    if (LAB_ENTRIES.includes(name)) continue;
    const sub = join(dir, name);
    const info = await lstat(sub);
    // A lab folder holds one run folder per step (or per step and seed, one level further down).
    const ok = info.isDirectory() && !info.isSymbolicLink() && (await isOurFolder(sub));
    if (!ok) foreign.push(name);
  }
  return foreign;
}

/** A run folder (it has config.json and only run entries) or a folder of such run folders (a step's seeds). */
async function isOurFolder(dir: string): Promise<boolean> {
  const entries = await readdir(dir);
  if (entries.includes('config.json')) return entries.every((name) => RUN_ENTRIES.includes(name));
  if (entries.length === 0) return true;
  for (const name of entries) {
    const info = await lstat(join(dir, name));
    if (!info.isDirectory() || info.isSymbolicLink() || !(await isOurFolder(join(dir, name)))) return false;
  }
  return true;
}

/**
 * Makes `dir` ready for a new run or lab: a folder that is absent or empty is taken as it is. An existing folder
 * is refused unless `force`, and even then only when everything in it is what mnist-lab makes for that kind
 * (config.json, history.jsonl, checkpoints/ …): those entries are removed and nothing else is touched; a study
 * folder is never replaced. The current folder and its ancestors are never claimed, and a file or symlink in the
 * folder's place is refused.
 */
export async function claimOutputFolder(dir: string, options: ClaimOptions): Promise<void> {
  const { flag } = options;
  if (await holdsCwd(dir, options.cwd)) {
    throw new LabError('OUTPUT_EXISTS', `${flag} ${dir} is the current folder or one of its parents; mnist-lab never writes a run there`, {
      hint: `name a new folder, e.g. ${flag} runs/my-run`,
    });
  }
  const entries = await inspect(dir, flag);
  if (entries === null || entries.length === 0) {
    await mkdir(dir, { recursive: true });
    return;
  }
  if (options.kind === 'study') {
    throw new LabError('OUTPUT_EXISTS', `${flag} ${dir} already exists and is not empty`, {
      hint: `nothing was written; a study starts in a new or empty folder: choose another ${flag} (--resume continues a study folder)`,
    });
  }
  const what = options.kind === 'run' ? 'a run folder' : 'a lab folder';
  if (!options.force) {
    throw new LabError('OUTPUT_EXISTS', `${flag} ${dir} already exists and is not empty`, {
      hint: `choose another ${flag}, add --force to replace it (only if it is ${what}), or --resume it to continue training`,
    });
  }
  const foreign = await foreignEntries(dir, options.kind);
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
    throw new LabError('OUTPUT_EXISTS', `--force replaces only ${what}, and ${dir} holds what mnist-lab did not make: ${shown}`, {
      hint: `nothing was deleted; choose another ${flag}, or move those files away first`,
    });
  }
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Makes `path` ready for an HTML page (and its .png/.svg siblings): absent, or a page mnist-lab wrote before (its
 * siblings then are ours too). A foreign file, or a sibling beside no page of ours, is refused: nothing a user
 * made is replaced.
 */
export async function claimOutputPage(path: string, siblings: readonly string[], flag: string): Promise<void> {
  const own = await readFile(path, 'utf8').then(
    (text) => text.includes(PAGE_MARKER),
    (error: unknown) => (isMissing(error) ? null : Promise.reject(pageError(error, path, flag))),
  );
  if (own === false) {
    throw new LabError('OUTPUT_EXISTS', `${flag} ${path} exists and is not a page mnist-lab wrote`, {
      hint: `nothing was replaced; choose another ${flag}`,
    });
  }
  if (own === null) {
    for (const sibling of siblings) {
      const exists = await lstat(sibling).then(
        () => true,
        () => false,
      );
      if (exists) {
        throw new LabError('OUTPUT_EXISTS', `${sibling} exists beside ${flag} ${path}, and mnist-lab did not write it`, {
          hint: `nothing was replaced; choose another ${flag}`,
        });
      }
    }
  }
  await mkdir(dirname(path), { recursive: true });
}

/** Why a page cannot be written where `flag` points: a folder there, or a file on its path; other errors as they are. */
function pageError(error: unknown, path: string, flag: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') {
    return new LabError('OUTPUT_EXISTS', `${flag} ${path} is a folder; ${flag} names the page to write`, {
      hint: `nothing was written; name an .html file, e.g. ${flag} ${join(path, 'compare.html')}`,
    });
  }
  if (code === 'ENOTDIR') {
    return new LabError('OUTPUT_EXISTS', `${flag} ${path} lies below an existing file, not a folder`, { hint: `nothing was written; choose another ${flag}` });
  }
  return error;
}

/** Whether a folder looks like a run folder (has config.json). */
export async function isRunFolder(dir: string): Promise<boolean> {
  return lstat(runFiles(dir).config).then(
    (info) => info.isFile(),
    () => false,
  );
}
