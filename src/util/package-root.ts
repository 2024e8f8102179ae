// The mnist-lab package's root folder (holding package.json and lab/), from src/ and dist/ alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The nearest folder above this file whose package.json is mnist-lab's. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mnist-lab') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the mnist-lab package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
