// The public API as an outside project sees it: a consumer compiles against the package's published types (and a
// wrong call does not), the core bundles for a browser with no Node-only import, and a lab file outside any package
// resolves `mnist-lab` and `@tensorflow/tfjs` to the CLI's own modules, on the native engine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { SKIP_NATIVE } from '../helpers/native.js';
import { MNIST_DIR, REPO_ROOT, tempDir } from '../helpers/paths.js';

const CONSUMER = `import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = { title: 't', source: 's', codelab: 'c', passBar: 0.9, lesson: 'l' };

export default async function main(): Promise<void> {
  const training: lab.TrainingDataset = lab.trainingDataset({ batchSize: 32, augment: { shift: 2 } });
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: 'sgd', loss: lab.losses.labelSmoothingCrossentropy(0.1), metrics: ['accuracy'] });
  lab.summary(model);
  const decay: lab.LrSchedule = (epoch) => 0.01 * Math.pow(0.6, epoch);
  await lab.plotLearningRate(decay, 3);
  const history: lab.History = await lab.fit(model, training, {
    epochs: 3,
    validationData: lab.validationDataset(),
    callbacks: [lab.callbacks.learningRateScheduler(decay, { verbose: true }), lab.callbacks.plotTraining({ zoom: 10 }), lab.callbacks.earlyStopping({ patience: 1 })],
  });
  const last: number | undefined = history.history.val_accuracy.at(-1);
  console.log(last, lab.schedules.oneCycle);
  await lab.showPredictions(model);
}
`;

/** Type-checks `source` as a file of a project that depends on the published package (types from dist). */
function typeErrors(project: string, source: string): string[] {
  const file = join(project, 'consumer.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

describe('the published types', () => {
  let project: string;
  beforeAll(() => {
    // The package as npm would install it: its package.json and freshly built declarations, beside its own TF.js.
    const pkg = join(tempDir('api-pkg-'), 'mnist-lab');
    mkdirSync(pkg);
    writeFileSync(join(pkg, 'package.json'), readFileSync(join(REPO_ROOT, 'package.json')));
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', join(pkg, 'dist')], {
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    project = tempDir('api-consumer-');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
    mkdirSync(join(project, 'node_modules', '@tensorflow'), { recursive: true });
    symlinkSync(pkg, join(project, 'node_modules', 'mnist-lab'));
    symlinkSync(join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs'), join(project, 'node_modules', '@tensorflow', 'tfjs'));
  }, 120_000);

  it('compile a consumer file that uses the API as the docs do', () => {
    expect(typeErrors(project, CONSUMER)).toEqual([]);
  });

  it('reject a consumer that calls the API wrongly, naming what is wrong', () => {
    const wrong = CONSUMER.replace('batchSize: 32', "batchSize: '32'").replace('epochs: 3,', 'epochz: 3,');
    const errors = typeErrors(project, wrong);
    expect(errors.join('\n')).toMatch(/'string' is not assignable to type 'number'/);
    expect(errors.join('\n')).toMatch(/epochz/);
  });
});

describe('the browser-safe core', () => {
  it('bundles for a browser: nothing it imports needs Node', async () => {
    const result = await build({
      entryPoints: [join(REPO_ROOT, 'src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: ['@tensorflow/tfjs'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/from ["']node:/);
    expect(code).toContain('LearningRateScheduler setting learning rate to');
  });
});

describe.skipIf(SKIP_NATIVE)('a lab file outside any package, in a real process', () => {
  it('imports only mnist-lab and @tensorflow/tfjs, which are the CLI\'s own TF.js with the native engine', () => {
    const dir = tempDir('outside-');
    const file = join(dir, 'mine.ts');
    writeFileSync(
      file,
      CONSUMER.replace("  lab.summary(model);", "  lab.summary(model);\n  console.log(`backend ${tf.getBackend()}`);").replace('loss: lab.losses.labelSmoothingCrossentropy(0.1)', "loss: 'categoricalCrossentropy'"),
    );
    // tsx by its path: the file's folder has no node_modules (the CLI's own prefetch worker must cope with that too).
    const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, join(REPO_ROOT, 'src/cli/main.ts'), 'run', file, '--steps', '3', '--limit', '500', '--val-limit', '100', '--data-dir', MNIST_DIR, '--no-pictures', '--json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('backend native');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ engine: 'native-compiled', status: 'completed' });
  });
});
