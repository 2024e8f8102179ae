// The README's "Write your own model" example: copied from a lab file (examples/codelab-maxpool.ts) and runnable as
// the README says, type-check included.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../helpers/capture.js';
import { MNIST_DIR, REPO_ROOT, tempDir } from '../helpers/paths.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## Write your own model'));
const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const fromDefault = (code: string) => code.slice(code.indexOf('export default'));

describe("the README's own-model example", () => {
  it('is under 40 lines and is examples/codelab-maxpool.ts without its about block', () => {
    expect(example.split('\n').length).toBeLessThan(40);
    expect(fromDefault(example)).toBe(fromDefault(readFileSync(join(REPO_ROOT, 'examples/codelab-maxpool.ts'), 'utf8')));
  });

  it('runs pasted into my-model.ts, with the command the README shows (shortened by flags)', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'my-model.ts'), example);
    expect(section).toContain('npx mnist-lab run my-model.ts');
    const { io, stdout, stderr } = captureIo(cwd);
    const code = await runCli(['run', 'my-model.ts', '--epochs', '1', '--steps', '5', '--limit', '1000', '--val-limit', '200', '--data-dir', MNIST_DIR, '--no-pictures', '--json'], io);
    expect(stderr.text).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(stderr.text).toContain('Epoch 1: LearningRateScheduler setting learning rate to 0.01.');
    expect(JSON.parse(stdout.text)).toMatchObject({ step: 'my-model', status: 'completed', steps: 5 });
  });
});
