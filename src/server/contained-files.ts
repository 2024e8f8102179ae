// Reads the files of a run folder only when they are regular files inside it: no symlink is followed out (or in).
import { constants } from 'node:fs';
import { open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, sep } from 'node:path';

/**
 * Opens `path` for reading when it is a regular file (not a symlink, not a folder) whose folder, resolved,
 * lies inside `root`; null otherwise. O_NOFOLLOW makes the last step atomic: a file swapped for a link after
 * the check is not opened. The caller closes the handle.
 */
export async function openContained(root: string, path: string): Promise<FileHandle | null> {
  if (!(await folderInside(root, dirname(path)))) return null;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}

/** The bytes of a regular file inside root (see openContained), or null. */
export async function readContained(root: string, path: string): Promise<Buffer | null> {
  const handle = await openContained(root, path);
  if (handle === null) return null;
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Whether path is a regular file inside root. */
export async function isContainedFile(root: string, path: string): Promise<boolean> {
  const handle = await openContained(root, path);
  await handle?.close();
  return handle !== null;
}

/** Names of the regular files (no links, no folders) in `dir`, when dir itself resolves inside root. */
export async function containedFileNames(root: string, dir: string): Promise<string[]> {
  if (!(await folderInside(root, dir))) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

async function folderInside(root: string, dir: string): Promise<boolean> {
  try {
    const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dir)]);
    return realDir === realRoot || realDir.startsWith(realRoot + sep);
  } catch {
    return false;
  }
}
