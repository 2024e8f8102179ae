// Ships a worker's run folder back through the queue: files as base64 (checkpoints left on the worker), unpacked into the study's trials/<id>/.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface PackedFile {
  /** Path inside the run folder, with forward slashes. */
  path: string;
  base64: string;
}

export interface PackOptions {
  /** Top-level entries left out (default: checkpoints, which can be large and only matter for resuming on that machine). */
  skip?: string[];
  /** Files beyond this total are left out (default 32 MB). */
  maxBytes?: number;
}

export function packRunFolder(dir: string, options: PackOptions = {}): PackedFile[] {
  const skip = new Set(options.skip ?? ['checkpoints']);
  let budget = options.maxBytes ?? 32 * 1024 * 1024;
  const files: PackedFile[] = [];
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((path) => !skip.has(path.split(sep)[0]))
    .sort();
  for (const path of entries) {
    const size = statSync(join(dir, path)).size;
    if (size > budget) continue;
    budget -= size;
    files.push({ path: path.split(sep).join('/'), base64: readFileSync(join(dir, path)).toString('base64') });
  }
  return files;
}

export function unpackRunFolder(files: readonly PackedFile[], dir: string): void {
  const root = resolve(dir);
  for (const file of files) {
    const target = resolve(root, file.path);
    // A path that climbs out of the run folder is not ours to write.
    if (!target.startsWith(root + sep)) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(file.base64, 'base64'));
  }
}
