// `mnist-lab run <file>`: every lab file runs with tiny steps, a copy runs as its step does, a user's file with a layer
// off the fast path says so once, and every kind of bad file gets a BAD_LAB_FILE naming the file and line (exit 2).
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { runFiles } from '../../src/run/layout.js';
import { STEP_NAMES, stepFile } from '../../src/runner/catalogue.js';
import { captureIo } from '../helpers/capture.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { MNIST_DIR, REPO_ROOT, tempDir } from '../helpers/paths.js';

const TINY = ['--epochs', '1', '--steps', '3', '--limit', '600', '--val-limit', '200', '--data-dir', MNIST_DIR, '--no-pictures'];
const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples')).filter((name) => name.endsWith('.ts'));

async function run(args: string[], signal?: AbortSignal) {
  const cwd = tempDir();
  const { io, stdout, stderr } = captureIo(cwd, {}, signal);
  const code = await runCli(['run', ...args], io);
  return { code, out: stdout.text, err: stderr.text, cwd };
}

/** A lab file of the user's: the codelab's step 3 with `layers` (source text) as its model and `compile` as its compile. */
function userFile(options: { layers?: string; compile?: string; body?: string; top?: string } = {}): string {
  const dir = tempDir('user-lab-');
  const layers = options.layers ?? `tf.layers.dense({ inputShape: [784], units: 100, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),`;
  const compile = options.compile ?? `{ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] }`;
  const body =
    options.body ??
    `const model = tf.sequential({ layers: [
      ${layers}
    ] });
  model.compile(${compile});
  await lab.fit(model, lab.trainingDataset({ batchSize: 32 }), { epochs: 2, validationData: lab.validationDataset() });`;
  const file = join(dir, 'my-model.ts');
  writeFileSync(
    file,
    `// A user's lab file.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';
${options.top ?? ''}
export default async function main(): Promise<void> {
  ${body}
}
`,
  );
  return file;
}

describe('every lab file runs through `mnist-lab run`', () => {
  for (const name of STEP_NAMES) {
    it(`lab/${name}.ts`, async () => {
      const out = join(tempDir(), 'run');
      const r = await run([stepFile(name), ...TINY, '--out', out, '--json']);
      expect(r.err).not.toMatch(/error/);
      expect(r.code).toBe(0);
      const metrics = JSON.parse(r.out);
      expect(metrics).toMatchObject({ step: name, epochs: 1, status: 'completed', test_count: 200 });
      expect(JSON.parse(readFileSync(runFiles(out).config, 'utf8'))).toMatchObject({ step: { name, builtin: false }, about: { title: expect.any(String) } });
    });
  }
  for (const name of EXAMPLES) {
    it(`examples/${name}`, async () => {
      const r = await run([join(REPO_ROOT, 'examples', name), ...TINY, '--out', join(tempDir(), 'run'), '--json', '--no-typecheck']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ status: 'completed' });
    });
  }
});

describe('a copy of a step runs as the step does', () => {
  it('run lab/10-conv-bn.ts and train 10-conv-bn give the same accuracy and loss with the same seed', async () => {
    const flags = [...TINY, '--seed', '5', '--json'];
    const viaRun = await run([stepFile('10-conv-bn'), ...flags, '--out', join(tempDir(), 'a')]);
    const cwd = tempDir();
    const { io, stdout } = captureIo(cwd);
    expect(await runCli(['train', '10-conv-bn', ...flags, '--out', join(cwd, 'b')], io)).toBe(0);
    const [a, b] = [JSON.parse(viaRun.out), JSON.parse(stdout.text)];
    expect(a.test_accuracy).toBe(b.test_accuracy);
    expect(a.test_loss).toBe(b.test_loss);
    expect(a.engine).toBe(b.engine);
  });

  it('resumes a user file interrupted by Ctrl-C to the uninterrupted result', async () => {
    const file = userFile();
    const flags = [...TINY, '--steps', '4', '--epochs', '2', '--seed', '3', '--json', '--no-typecheck'];
    const whole = JSON.parse((await run([file, ...flags, '--out', join(tempDir(), 'whole')])).out);
    let checks = 0;
    const signal = { get aborted() { return ++checks > 5; } } as AbortSignal;
    const out = join(tempDir(), 'split');
    const first = await run([file, ...flags, '--out', out], signal);
    expect(first.code).toBe(130);
    expect(JSON.parse(first.out)).toMatchObject({ status: 'interrupted' });
    expect(first.err).toContain(`mnist-lab run --resume ${out}`);
    const resumed = await run(['--resume', out, '--json']);
    expect(resumed.err).not.toMatch(/error/);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({ status: 'completed', steps: 8, test_accuracy: whole.test_accuracy, test_loss: whole.test_loss });
  });
});

describe.skipIf(SKIP_NATIVE)('a layer the native engine does not compile', () => {
  it('trains through TF.js and says once which layer kept it off the fast path and what that costs', async () => {
    const file = userFile({
      layers: `tf.layers.dense({ inputShape: [784], units: 64, activation: 'elu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),`,
    });
    const r = await run([file, ...TINY, '--out', join(tempDir(), 'run'), '--json', '--no-typecheck', '--backend', 'native']);
    expect(r.code).toBe(0);
    const notes = r.err.split('\n').filter((line) => line.includes('not on the fast path'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/layer dense\w* \(Dense\): activation "elu"/);
    expect(notes[0]).toMatch(/trains through TF\.js op by op .*slower/);
    expect(JSON.parse(r.out).engine).toBe('tfjs-native');
  });
});

describe('bad lab files: a clear error naming the file (and line), exit 2', () => {
  const refused = async (file: string, message: RegExp, extra: string[] = ['--no-typecheck']) => {
    const r = await run([file, ...TINY, ...extra]);
    expect(r.err).toMatch(/^error \[BAD_LAB_FILE\]: /);
    expect(r.err).toMatch(message);
    expect(r.err).toContain(file);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
  };

  it('a file that throws: the line it threw at', async () => {
    const file = userFile({ body: "const x = 1;\n  if (x) throw new Error('my mistake');" });
    await refused(file, /my-model\.ts:7:\d+: my mistake/);
  });

  it('a file with a syntax error: the line', async () => {
    const file = userFile({ body: 'const model = tf.sequential({ layers: [ ;' });
    await refused(file, /my-model\.ts:\d+:\d+: the lab file failed to load/);
  });

  it('a file that does not type-check: each error with its line', async () => {
    const file = userFile({ layers: `tf.layers.dense({ inputShape: [784], units: '10', activation: 'softmax' }),` });
    await refused(file, /does not type-check[\s\S]*my-model\.ts:\d+:\d+: Type 'string' is not assignable to type 'number'/, []);
  });

  it('a file that trains nothing, or trains with TF.js\'s own model.fit', async () => {
    await refused(userFile({ body: 'const unused = tf.scalar(1);\n  unused.dispose();' }), /trained nothing: it never called lab\.fit/);
  });

  it('a model whose input is not the digits, or whose output is not 10 classes: the layer, expected and found', async () => {
    await refused(userFile({ layers: `tf.layers.dense({ inputShape: [100], units: 10, activation: 'softmax' }),` }), /layer dense\w*, Dense\) is \[100\]; the digits are \[784\]/);
    await refused(userFile({ layers: `tf.layers.dense({ inputShape: [784], units: 12, activation: 'softmax' }),` }), /layer dense\w*, Dense\) is \[12\]; it must be \[10\]/);
  });

  it('a loss that does not match the one-hot labels', async () => {
    await refused(userFile({ compile: `{ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }` }), /takes sparse labels, but the training dataset gives one-hot/);
  });

  it('a file without a default-exported main, and a path that does not exist', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const file = join(dir, 'sub', 'no-main.ts');
    writeFileSync(file, "export const about = { title: 'x' };\n");
    await refused(file, /has no default export function/);
    await refused(join(dir, 'missing.ts'), /does not exist/);
  });

  it('never writes over an existing run folder without --force', async () => {
    const out = join(tempDir(), 'run');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await run([userFile(), ...TINY, '--no-typecheck', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/OUTPUT_EXISTS/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
