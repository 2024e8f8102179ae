// Light commands start light: `--help`, `models` and `data sample` load neither the server, the queue nor the
// canvas (nor TF.js, where they do not build a model), seen by an import hook in a real process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MNIST_DIR, REPO_ROOT, tempDir } from '../helpers/paths.js';

/** Registers a resolve hook that appends every bare specifier (a package) to the file named in its data. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data; }
export async function resolve(specifier, context, next) {
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier)) appendFileSync(file, specifier + '\\n');
  return next(specifier, context);
}`;

/** The packages `mnist-lab <args>` imports, run from the source tree in a child process. */
function packagesLoaded(args: string[]): Set<string> {
  const file = join(tempDir(), 'imports.txt');
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, { data: ${JSON.stringify(file)} });`;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(register)}`, join(REPO_ROOT, 'src/cli/main.ts'), ...args],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  const specifiers = readFileSync(file, 'utf8').trim().split('\n');
  // '@scope/name/sub' → '@scope/name', 'name/sub' → 'name'.
  return new Set(specifiers.map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')));
}

const HEAVY = ['fastify', 'bullmq', 'ioredis', '@napi-rs/canvas', 'chart.js'];

describe('light commands', () => {
  it.each([[['--help']], [['data', 'sample', '--count', '1', '--data-dir', MNIST_DIR]], [['compare', '--help']]])(
    '%j loads no TF.js, server, queue or canvas',
    (args) => {
      const loaded = packagesLoaded(args);
      expect(loaded).toContain('commander'); // the hook sees the packages the CLI imports
      for (const name of [...HEAVY, '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']) expect(loaded).not.toContain(name);
    },
  );

  it('models builds the models with TF.js, on the cpu backend, and loads nothing heavier', () => {
    const loaded = packagesLoaded(['models', '--json']);
    expect(loaded).toContain('@tensorflow/tfjs');
    for (const name of [...HEAVY, '@tensorflow/tfjs-backend-wasm']) expect(loaded).not.toContain(name);
  });
});
