// The CLI end to end on tiny runs: flags, --json outputs, errors with exit codes, and Ctrl-C in a real process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import { runCli } from '../../src/cli/run-cli.js';
import { parseJsonInput } from '../../src/predict/inputs.js';
import { labCommand, type LabRow } from '../../src/commands/lab.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { runFiles } from '../../src/run/layout.js';
import { readLabTable } from '../../src/run/reader.js';
import { writeIdxFile } from '../../src/data/idx-file.js';
import { imagesArray, indexedDigits, writeDataset } from '../helpers/digit-files.js';
import { captureIo, runCaptured } from '../helpers/capture.js';
import { writeRun } from '../helpers/run-folders.js';
import { FASHION_DIR, MNIST_DIR, REPO_ROOT, tempDir } from '../helpers/paths.js';

const TINY = ['--epochs', '1', '--steps', '20', '--lr', '0.5', '--limit', '3000', '--val-limit', '500', '--backend', 'wasm', '--no-pictures'];

async function cli(args: string[], env: Record<string, string> = {}) {
  const cwd = tempDir();
  return { ...(await runCaptured(args, cwd, env)), cwd };
}

describe('mnist-lab train', () => {
  it('trains a tiny run and prints RunMetrics as one JSON line', async () => {
    const out = join(tempDir(), 'run');
    const r = await cli(['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', out, '--json']);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const metrics = JSON.parse(lines[0]);
    expect(metrics).toMatchObject({ step: '01-softmax', dataset: 'mnist', epochs: 1, steps: 20, test_count: 500, engine: 'tfjs-wasm', status: 'completed' });
    expect(metrics.test_accuracy).toBeGreaterThan(0.5);
    expect(r.err).toContain('Steps per epoch: 20');
    expect(existsSync(join(runFiles(out).model, 'model.json'))).toBe(true);
  });

  it('finds the data through $MNIST_DATA', async () => {
    const out = join(tempDir(), 'run');
    const r = await cli(['train', '01-softmax', ...TINY, '--out', out], { MNIST_DATA: MNIST_DIR });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Test accuracy \d+\.\d\d%/);
    // --val-limit 500: the errors are counted out of the 500 test digits measured, not out of 10k.
    expect(r.out).toMatch(/\(\d+ errors out of the first 500 test digits\)/);
  });

  it('says where it looked when the data is missing (exit 2)', async () => {
    const r = await cli(['train', '01-softmax', ...TINY], { XDG_CACHE_HOME: tempDir() });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/DATA_NOT_FOUND/);
    expect(r.err).toMatch(/data fetch/);
  });

  it.each([
    [['train', 'nope'], /UNKNOWN_PRESET[\s\S]*01-softmax[\s\S]*10-conv-bn/],
    [['train', '01-softmax', '--epochs', '0'], /--epochs must be a decimal integer from 1/],
    [['train', '01-softmax', '--epochs', 'ten'], /--epochs.*"ten"/],
    [['train', '01-softmax', '--lr', '-1'], /--lr must be a decimal number > 0/],
    [['train', '01-softmax', '--lr', '0x1'], /--lr must be a decimal number > 0 and ≤ 10; got "0x1"/],
    [['train', '01-softmax', '--backend', 'gpu'], /--backend must be one of auto, native, wasm, cpu; got "gpu"/],
    [['train', '01-softmax', '--bogus'], /unknown option '--bogus'/],
  ])('rejects %j with exit 2 and a message naming the flag', async (args, message) => {
    const r = await cli([...args, '--data-dir', MNIST_DIR]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it.each([
    [['train', '01-softmax', '--bogus'], "unknown option '--bogus'", 'see `mnist-lab train --help` for its flags'],
    [['train', '01-softmax', '--force-it'], "unknown option '--force-it'", 'did you mean --force? see `mnist-lab train --help` for its flags'],
    [['train', '01-softmax', '--epochs'], "option '--epochs <n>' argument missing", 'see `mnist-lab train --help` for its flags'],
    [['train', '01-softmax', '--dataset', 'cifar'], "option '--dataset <name>' argument 'cifar' is invalid. Allowed choices are mnist, fashion.", 'see `mnist-lab train --help` for its flags'],
    [['train', '01-softmax', 'extra'], "too many arguments for 'train'. Expected 1 argument but got 2.", 'see `mnist-lab train --help` for its flags'],
    [['eval'], "missing required argument 'run-or-model-dir'", 'see `mnist-lab eval --help` for its flags'],
    [['worker'], "required option '--queue <url>' not specified", 'see `mnist-lab worker --help` for its flags'],
    [['trian'], "unknown command 'trian'", 'did you mean train? see `mnist-lab --help` for its commands'],
    [['data', 'sampel'], "unknown command 'sampel'", 'did you mean sample? see `mnist-lab data --help` for its commands'],
  ])('reports the flag parser\'s own error for %j as one BAD_ARGUMENT line and a hint, exit 2', async (args, message, hint) => {
    const r = await cli(args);
    expect(r.err).toBe(`error [BAD_ARGUMENT]: ${message}\n  hint: ${hint}\n`);
    expect(r.code).toBe(2);
  });

  it('refuses an existing --out without --force', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'something'), 'x');
    const r = await cli(['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/OUTPUT_EXISTS/);
  });
});

describe('an --out that is a file', () => {
  const study = ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'params:', '  - { name: lr, type: DOUBLE, minValue: 0.01, maxValue: 0.5 }'];
  it.each([
    ['train', (file: string) => ['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', file], /error \[OUTPUT_EXISTS\]: --out (\S+) is an existing file, not a folder/],
    ['train --force', (file: string) => ['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', file, '--force'], /error \[OUTPUT_EXISTS\]: --out (\S+) is an existing file, not a folder/],
    ['train, a folder below it', (file: string) => ['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', join(file, 'run')], /error \[OUTPUT_EXISTS\]: --out (\S+) lies below an existing file, not a folder/],
    ['tune', (file: string) => ['tune', 'study.yaml', '--out', file], /error \[OUTPUT_EXISTS\]: --out (\S+) is an existing file, not a folder/],
    ['tune, a folder below it', (file: string) => ['tune', 'study.yaml', '--out', join(file, 'study')], /error \[OUTPUT_EXISTS\]: --out (\S+) lies below an existing file, not a folder/],
    ['report, a folder', (file: string) => ['report', join(dirname(file), 'run'), '--out', dirname(file)], /error \[OUTPUT_EXISTS\]: --out (\S+) is a folder; --out names the page to write/],
    ['report, a page below it', (file: string) => ['report', join(dirname(file), 'run'), '--out', join(file, 'report.html')], /error \[OUTPUT_EXISTS\]: --out (\S+) lies below an existing file, not a folder/],
    ['compare, a folder', (file: string) => ['compare', join(dirname(file), 'run'), '--out', '.'], /error \[OUTPUT_EXISTS\]: --out (\S+) is a folder; --out names the page to write/],
    ['compare, a page below it', (file: string) => ['compare', join(dirname(file), 'run'), '--out', join(file, 'compare.html')], /error \[OUTPUT_EXISTS\]: --out (\S+) lies below an existing file, not a folder/],
    ['data sample, over it', (file: string) => ['data', 'sample', '--data-dir', MNIST_DIR, '--out', file], /error \[OUTPUT_EXISTS\]: --out (\S+) already exists; data sample writes only new files/],
    ['data sample, a file below it', (file: string) => ['data', 'sample', '--data-dir', MNIST_DIR, '--out', join(file, 'x.json')], /error \[BAD_ARGUMENT\]: --out (\S+) cannot be written: ENOTDIR/],
  ])('%s: exit 2 with a typed error naming it, and the file is left alone', async (_name, args, message) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'study.yaml'), `${study.join('\n')}\n`);
    const file = join(cwd, 'notes.txt');
    writeFileSync(file, 'keep me');
    await writeRun(join(cwd, 'run'), { preset: '01-softmax', epochs: 1, trainedEpochs: 1, metrics: true });
    const { io, stderr } = captureIo(cwd);
    const code = await runCli(args(file), io);
    expect(stderr.text).toMatch(message);
    expect(stderr.text).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(readdirSync(cwd).sort()).toEqual(['notes.txt', 'run', 'study.yaml']);
  });
});

describe('bad data folders', () => {
  it('refuses an empty test-images file at load with exit 2, naming it', async () => {
    const dir = tempDir();
    await writeDataset(dir, { train: 100, test: 10 });
    const empty = join(dir, 't10k-images-idx3-ubyte.gz');
    await writeIdxFile(empty, imagesArray(indexedDigits(0)), { gzip: true });
    const r = await cli(['train', '01-softmax', ...TINY, '--batch-size', '10', '--data-dir', dir, '--out', join(tempDir(), 'run')]);
    expect(r.err).toContain(`error [BAD_DATA_FILE]: ${empty}: holds no images`);
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/Epoch/);
  });

  it('names a dangling symbolic link in --data-dir and what it points to (exit 2)', async () => {
    const dir = tempDir();
    await writeDataset(dir, { train: 100, test: 10 });
    const link = join(dir, 't10k-images-idx3-ubyte.gz');
    rmSync(link);
    symlinkSync('/mnt/usb/t10k-images-idx3-ubyte.gz', link);
    const r = await cli(['train', '01-softmax', ...TINY, '--batch-size', '10', '--data-dir', dir]);
    expect(r.err).toContain(`${dir} (--data-dir): t10k-images-idx3-ubyte.gz is a symbolic link to /mnt/usb/t10k-images-idx3-ubyte.gz, which does not exist`);
    expect(r.err).not.toMatch(/lacks/);
    expect(r.code).toBe(2);
  });

  it('refuses --dataset fashion with a --data-dir that holds MNIST, saying so (exit 2)', async () => {
    const r = await cli(['train', '01-softmax', ...TINY, '--dataset', 'fashion', '--data-dir', MNIST_DIR]);
    expect(r.err).toMatch(/^error \[BAD_ARGUMENT\]: expected fashion data, but \S+ is the mnist dataset's \S+ \(by its SHA-256\)\n {2}hint: pass --dataset mnist/);
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/Epoch/);
  });
});

describe('mnist-lab lab', () => {
  it('trains the chosen steps in order, prints the table and writes lab.json and the compare page', async () => {
    const out = join(tempDir(), 'lab');
    const r = await cli(['lab', '--presets', '01-softmax,03-relu-adam', ...TINY, '--data-dir', MNIST_DIR, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.indexOf('=== 01-softmax')).toBeLessThan(r.out.indexOf('=== 03-relu-adam'));
    expect(r.out).toMatch(/^01-softmax +\d+\.\d\d%/m);
    expect(r.out).toMatch(/^03-relu-adam +\d+\.\d\d%/m);
    expect(r.out).toContain(`The ladder compared: ${join(out, 'compare.html')}`);
    expect(r.out).toContain(`draw digits with the newest model: npx mnist-lab serve --runs-dir ${dirname(out)}`);
    const rows = await readLabTable(out);
    expect(rows.map((row) => [row.step, row.runs[0].runDir, row.runs[0].status])).toEqual([
      ['01-softmax', join(out, '01-softmax'), 'completed'],
      ['03-relu-adam', join(out, '03-relu-adam'), 'completed'],
    ]);
    const page = readFileSync(join(out, 'compare.html'), 'utf8');
    expect(page).toContain('<td>01-softmax</td>');
    expect(page).toContain('<td>03-relu-adam</td>');
  });

  it('prints its rows as JSON with --json and refuses an unknown step before training any', async () => {
    const out = join(tempDir(), 'lab');
    const r = await cli(['lab', '--presets', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ step: '01-softmax', passBar: 0.89, passed: false, runs: [{ seed: 0, status: 'completed', engine: 'tfjs-wasm' }] });
    expect(rows[0].accuracy).toMatchObject({ count: 1, std: 0, mean: rows[0].runs[0].test_accuracy });
    const bad = await cli(['lab', '--presets', '01-softmax,99-nope', ...TINY, '--data-dir', MNIST_DIR, '--out', join(tempDir(), 'lab')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/UNKNOWN_PRESET[\s\S]*99-nope/);
    expect(bad.out).not.toContain('=== 01-softmax');
  });
});

describe('mnist-lab lab --seeds', () => {
  it('trains each step over the seeds, one folder each, and reports their mean, sample sd and range', async () => {
    const out = join(tempDir(), 'lab');
    const r = await cli(['lab', '--presets', '01-softmax', '--seeds', '3', '--seed', '4', ...TINY, '--data-dir', MNIST_DIR, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.out) as LabRow[];
    expect(row.runs.map((run) => [run.seed, run.runDir, run.status])).toEqual([4, 5, 6].map((seed) => [seed, join(out, '01-softmax', `seed-${seed}`), 'completed']));
    const accuracies = row.runs.map((run) => run.test_accuracy as number);
    const mean = accuracies.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    expect(row.accuracy?.mean).toBeCloseTo(mean, 12);
    expect(row.accuracy?.std).toBeCloseTo(sd, 12);
    expect([row.accuracy?.min, row.accuracy?.max]).toEqual([Math.min(...accuracies), Math.max(...accuracies)]);
    expect(new Set(accuracies).size).toBeGreaterThan(1); // the seeds differ
    expect(row.passed).toBe(mean >= 0.89);
    const table = await cli(['lab', '--presets', '01-softmax', '--seeds', '2', ...TINY, '--data-dir', MNIST_DIR, '--out', join(tempDir(), 'lab')]);
    expect(table.out).toMatch(/test accuracy, mean ± sd \(range\) of 2 seeds/);
    expect(table.out).toMatch(/^01-softmax +\d+\.\d\d% ± \d+\.\d\d \(\d+\.\d\d%-\d+\.\d\d%\)/m);
  });
});

describe('mnist-lab lab --resume', () => {
  const TWO_EPOCHS = ['--epochs', '2', '--steps', '10', '--limit', '3000', '--val-limit', '500', '--backend', 'wasm', '--no-pictures'];

  it('keeps finished steps, resumes the interrupted one from its checkpoint and trains the rest', async () => {
    const cwd = tempDir();
    const lab = join(cwd, 'lab');
    // A stand-in for Ctrl-C (the loop looks once after each step): 20 steps of 01-softmax, then the first epoch
    // of 03-relu-adam and one step of its second.
    let checks = 0;
    const signal = { get aborted() { return ++checks > 31; } } as AbortSignal;
    const first = captureIo(cwd, {}, signal);
    const interrupted = await labCommand(
      {
        plan: {
          steps: ['01-softmax', '03-relu-adam', '05-lr-decay'],
          overrides: { epochs: 2, batchSize: null, lr: null, steps: 10, limit: 3000, valLimit: 500 },
          seeds: [0],
          dataset: 'mnist',
          dataDir: MNIST_DIR,
          backend: 'wasm',
          threads: null,
          pictures: false,
        },
        out: lab,
      },
      first.io,
    );
    expect(interrupted.map((r) => [r.step, r.runs.map((x) => x.status)])).toEqual([
      ['01-softmax', ['completed']],
      ['03-relu-adam', ['interrupted']],
      ['05-lr-decay', ['pending']],
    ]);
    expect(first.stdout.text).toContain(`mnist-lab lab --resume ${lab}`);
    const softmaxMetrics = readFileSync(runFiles(join(lab, '01-softmax')).metrics, 'utf8');

    const r = await cli(['lab', '--resume', lab, '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as LabRow[];
    expect(rows.map((row) => [row.step, row.runs[0].status])).toEqual([
      ['01-softmax', 'completed'],
      ['03-relu-adam', 'completed'],
      ['05-lr-decay', 'completed'],
    ]);
    expect(r.err).toContain('=== 01-softmax: trained before:');
    expect(readFileSync(runFiles(join(lab, '01-softmax')).metrics, 'utf8')).toBe(softmaxMetrics);
    const history = readFileSync(runFiles(join(lab, '03-relu-adam')).history, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // Resumed at epoch 1 (a second start record), not retrained from 0.
    expect(history.filter((record) => record.type === 'start').map((record) => record.initialEpoch)).toEqual([0, 1]);
    expect(history.filter((record) => record.type === 'epoch').map((record) => record.epoch)).toEqual([0, 1]);
    expect(JSON.parse(readFileSync(join(lab, 'lab.json'), 'utf8'))).toHaveLength(3);
  });

  it('refuses new flags with --resume and a folder that is not a lab', async () => {
    const lab = join(tempDir(), 'lab');
    expect((await cli(['lab', '--presets', '01-softmax', ...TWO_EPOCHS, '--data-dir', MNIST_DIR, '--out', lab])).code).toBe(0);
    const flags = await cli(['lab', '--resume', lab, '--epochs', '3']);
    expect(flags.code).toBe(2);
    expect(flags.err).toMatch(/--resume continues the lab with the steps and flags it was started with; got also --epochs/);
    const other = await cli(['lab', '--resume', lab, '--dataset', 'fashion']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/got also --dataset/);
    const notLab = await cli(['lab', '--resume', tempDir()]);
    expect(notLab.code).toBe(2);
    expect(notLab.err).toMatch(/RUN_INCOMPLETE[\s\S]*lab-plan\.json/);
  });

  it.skipIf(!existsSync(FASHION_DIR))('trains the lab on the dataset it is given', async () => {
    const lab = join(tempDir(), 'lab');
    const r = await cli(['lab', '--presets', '01-softmax', ...TINY, '--dataset', 'fashion', '--data-dir', FASHION_DIR, '--out', lab, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(runFiles(join(lab, '01-softmax')).config, 'utf8')).dataset).toBe('fashion');
  });
});

describe('commands in a fresh process (nothing set up by earlier tests)', () => {
  it.each([
    [['summary', '06-deeper'], /Total params: 183,770/],
    [['models', '--json'], /"name":"01-softmax"/],
    [['doctor', '--json'], /"backend":/],
    [['--version'], new RegExp(`^${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version.replaceAll('.', '\\.')}$`)],
  ])('%j runs on its own', (args, output) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s/g, '')).toMatch(new RegExp(output.source.replace(/ /g, '')));
  });
});

describe('mnist-lab models / summary / eval', () => {
  it('lists every preset with the codelab parameter counts as JSON', async () => {
    const r = await cli(['models', '--json']);
    expect(r.code).toBe(0);
    const presets = JSON.parse(r.out) as { name: string; params: { total: number } }[];
    const byName = Object.fromEntries(presets.map((p) => [p.name, p.params.total]));
    expect(byName['03-relu-adam']).toBe(169_670);
    expect(byName['07-dense-dropout']).toBe(183_770);
    expect(byName['08-conv']).toBe(354_002);
    expect(byName['10-conv-bn']).toBe(354_538);
  });

  it('explains the lesson of each step', async () => {
    const r = await cli(['models', '--explain']);
    expect(r.code).toBe(0);
    for (const name of ['01-softmax', '05-lr-decay', '10-conv-bn']) expect(r.out).toContain(`${name}:`);
  });

  it('prints a Keras-style summary', async () => {
    const r = await cli(['summary', '10-conv-bn']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Total params: 354,538/);
    expect(r.out).toMatch(/Non-trainable params: 536/);
  });

  it('evaluates a run folder', async () => {
    const out = join(tempDir(), 'run');
    expect((await cli(['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', out])).code).toBe(0);
    const r = await cli(['eval', out, '--data-dir', MNIST_DIR, '--limit', '500', '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.count).toBe(500);
    expect(report.errors).toBe(Math.round((1 - report.test_accuracy) * 500));
  });

  it.skipIf(SKIP_NATIVE)('evaluates with the native compiled path and TF.js wasm alike', async () => {
    const out = join(tempDir(), 'run');
    expect((await cli(['train', '01-softmax', ...TINY, '--data-dir', MNIST_DIR, '--out', out])).code).toBe(0);
    const evaluate = async (backend: string) =>
      JSON.parse((await cli(['eval', out, '--data-dir', MNIST_DIR, '--limit', '2000', '--backend', backend, '--json'])).out);
    const [native, wasm] = [await evaluate('native'), await evaluate('wasm')];
    expect(native.test_accuracy).toBe(wasm.test_accuracy);
    expect(native.test_loss).toBeCloseTo(wasm.test_loss, 4);
  });

  it('names the folder when there is no model', async () => {
    const r = await cli(['eval', tempDir(), '--data-dir', MNIST_DIR]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/MODEL_NOT_FOUND/);
  });
});

describe('Ctrl-C in a real process', () => {
  /** Starts `mnist-lab train` from the source tree and sends Ctrl-C once the run's history holds `marker`. */
  async function interruptTraining(args: string[], out: string, marker: string): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'train', ...args, '--data-dir', MNIST_DIR, '--out', out], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const history = existsSync(runFiles(out).history) ? readFileSync(runFiles(out).history, 'utf8') : '';
        if (history.includes(marker)) {
          clearInterval(timer);
          child.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    return { code: await exited, output };
  }

  it('finishes the batch, writes a checkpoint and exits 130', async () => {
    const out = join(tempDir(), 'run');
    // Interrupt once the first batch has trained (its sample is in history.jsonl).
    const { code, output } = await interruptTraining(['03-relu-adam', '--epochs', '1', '--limit', '60000', '--backend', 'wasm', '--no-pictures'], out, '"type":"batch"');
    expect(output).toMatch(/Ctrl-C: stopping cleanly \(Ctrl-C again to quit now\)/);
    // Only the training, which did stop mid-epoch, says that it wrote a checkpoint.
    expect(output).toMatch(/Interrupted: checkpoint written/);
    expect(code).toBe(130);
    expect(readdirSync(runFiles(out).checkpoints).length).toBe(1);
  });

  it('after training has ended, lets the pictures and report finish and claims no checkpoint', async () => {
    const out = join(tempDir(), 'run');
    const { code, output } = await interruptTraining(['01-softmax', '--epochs', '1', '--steps', '30', '--backend', 'wasm'], out, '"type":"end"');
    expect(output).toMatch(/Ctrl-C: stopping cleanly/);
    expect(output).not.toMatch(/checkpoint/i);
    expect(code).toBe(0);
    expect(readFileSync(runFiles(out).history, 'utf8')).toMatch(/"type":"end","time":"[^"]+","status":"completed"/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(existsSync(runFiles(out).metrics)).toBe(true);
  });
});

describe('mnist-lab predict', () => {
  let runDir = '';
  const images: number[][][] = [];
  const labels: number[] = [];

  beforeAll(async () => {
    runDir = join(tempDir(), 'run');
    const r = await cli(['train', '01-softmax', '--epochs', '1', '--steps', '200', '--backend', 'wasm', '--no-pictures', '--data-dir', MNIST_DIR, '--out', runDir]);
    expect(r.code).toBe(0);
    const data = await loadDataset({ dir: MNIST_DIR, dataset: 'mnist', limit: 1, testLimit: 5 });
    for (let i = 0; i < 5; i++) {
      const pixels = data.test.images.subarray(i * 784, (i + 1) * 784);
      images.push(Array.from({ length: 28 }, (_, y) => Array.from(pixels.subarray(y * 28, y * 28 + 28), (v) => v / 255)));
      labels.push(data.test.labels[i]);
    }
  });

  it('reads the codelab digits.json format (one {"image"} per line) and predicts the right digits', async () => {
    const file = join(tempDir(), 'digits.json');
    writeFileSync(file, images.map((image) => JSON.stringify({ image })).join('\n') + '\n');
    const r = await cli(['predict', runDir, file, '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    const { predictions } = JSON.parse(r.out) as { predictions: { classes: number; probabilities: number[] }[] };
    expect(predictions).toHaveLength(5);
    for (const p of predictions) {
      expect(p.probabilities).toHaveLength(10);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(p.classes).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
    }
    // 200 steps of softmax regression get these five easy test digits right.
    expect(predictions.map((p) => p.classes)).toEqual(labels);
  });

  it('data sample writes test digits in that format, which predict reads back', async () => {
    const file = join(tempDir(), 'sample.json');
    const r = await cli(['data', 'sample', '--count', '5', '--data-dir', MNIST_DIR, '--out', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote 5 mnist test digits from #0 to ${file}: ${labels.join(', ')}`);
    const { images: written, count } = parseJsonInput(readFileSync(file, 'utf8'), file);
    expect(count).toBe(5);
    // Pixels / 256, exactly as training scales them.
    const data = await loadDataset({ dir: MNIST_DIR, dataset: 'mnist', limit: 1, testLimit: 5 });
    expect(Array.from(written)).toEqual(Array.from(data.test.images, (v) => v / 256));
    const predicted = await cli(['predict', runDir, file, '--backend', 'wasm', '--json']);
    expect(JSON.parse(predicted.out).predictions.map((p: { classes: number }) => p.classes)).toEqual(labels);

    const toStdout = await cli(['data', 'sample', '--count', '2', '--start', '3', '--data-dir', MNIST_DIR]);
    expect(toStdout.out.trim().split('\n')).toHaveLength(2);
    expect(toStdout.err).toContain(`2 mnist test digits from #3: ${labels.slice(3, 5).join(', ')}`);
    const tooFar = await cli(['data', 'sample', '--start', '9998', '--data-dir', MNIST_DIR]);
    expect(tooFar.code).toBe(2);
    expect(tooFar.err).toMatch(/--start \+ --count must be at most the 10000 test digits; got 10003/);
  });

  it('accepts an {"instances": [...]} body with the same answers', async () => {
    const file = join(tempDir(), 'body.json');
    writeFileSync(file, JSON.stringify({ instances: images.map((image) => ({ image })) }));
    const r = await cli(['predict', runDir, file, '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).predictions.map((p: { classes: number }) => p.classes)).toEqual(labels);
  });

  it.each([
    ['a NaN pixel', (img: number[][][]) => [img[0], img[1].map((row, y) => (y === 3 ? row.map(() => NaN) : row))], /instance 1.*pixel \[3\]\[0\]/],
    ['a 27-row image', (img: number[][][]) => [img[0].slice(1)], /instance 0.*28×28/],
    ['a value above 1', (img: number[][][]) => [img[0].map((row) => row.map(() => 255))], /instance 0.*outside \[0,1\]/],
  ])('rejects %s with exit 2, naming the instance', async (_name, mutate, message) => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, mutate(images).map((image) => JSON.stringify({ image })).join('\n'));
    const r = await cli(['predict', runDir, file, '--backend', 'wasm']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
