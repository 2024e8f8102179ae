// What --force may replace (a run or lab folder mnist-lab made, or an empty one) and what it never touches (the
// current folder, its parents, a user's files), through the real commands; and --resume refusing flags that change a run.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimOutputFolder, claimOutputPage } from '../../src/run/claim.js';
import { PAGE_MARKER } from '../../src/run/layout.js';
import { runCaptured } from '../helpers/capture.js';
import { MNIST_DIR, tempDir } from '../helpers/paths.js';
import { writeStudy } from '../helpers/tune.js';

const TINY = ['--epochs', '1', '--steps', '2', '--limit', '300', '--val-limit', '100', '--data-dir', MNIST_DIR, '--no-pictures'];

const cli = (args: string[], cwd = tempDir()) => runCaptured(args, cwd);

const refusal = (dir: string, force: boolean, cwd: string, kind: 'run' | 'lab' = 'run') =>
  claimOutputFolder(dir, { kind, force, cwd, flag: '--out' }).then(
    () => null,
    (error: unknown) => error as { code: string; message: string },
  );

describe('--force', () => {
  it('replaces a run folder mnist-lab made, entry by entry, and trains into it', async () => {
    const out = join(tempDir(), 'run');
    expect((await cli(['train', '01-softmax', ...TINY, '--out', out])).code).toBe(0);
    const again = await cli(['train', '01-softmax', ...TINY, '--out', out, '--force', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).status).toBe('completed');
  });

  it('refuses a folder holding anything mnist-lab did not make, and deletes nothing', async () => {
    const out = join(tempDir(), 'run');
    expect((await cli(['train', '01-softmax', ...TINY, '--out', out])).code).toBe(0);
    writeFileSync(join(out, 'my-notes.txt'), 'mine');
    const before = readdirSync(out).sort();
    const r = await cli(['train', '01-softmax', ...TINY, '--out', out, '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/OUTPUT_EXISTS.*--force replaces only a run folder.*my-notes\.txt/s);
    expect(r.err).toMatch(/nothing was deleted/);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(readFileSync(join(out, 'my-notes.txt'), 'utf8')).toBe('mine');
  });

  it('never claims the current folder or one of its parents, even empty, even with --force', async () => {
    const cwd = join(tempDir(), 'work', 'here');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'keep.txt'), 'mine');
    for (const out of ['.', '..', '../..']) {
      const r = await cli(['train', '01-softmax', ...TINY, '--out', out, '--force'], cwd);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(/is the current folder or one of its parents/);
    }
    expect(readFileSync(join(cwd, 'keep.txt'), 'utf8')).toBe('mine');
    expect(await refusal(cwd, true, join(cwd, 'sub'))).toMatchObject({ code: 'OUTPUT_EXISTS' });
  });

  it('takes an empty folder as it is, refuses a symlink in the folder\'s place', async () => {
    const empty = tempDir();
    expect(await refusal(empty, false, tempDir())).toBeNull();
    const link = join(tempDir(), 'link');
    symlinkSync(tempDir(), link);
    expect(await refusal(link, true, tempDir())).toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringMatching(/symbolic link/) });
  });

  it('replaces a lab folder of run folders and lab files, but not one with a stray file among its steps', async () => {
    const lab = join(tempDir(), 'lab');
    expect((await cli(['lab', '--presets', '01-softmax', ...TINY, '--out', lab])).code).toBe(0);
    expect(existsSync(join(lab, 'lab.json'))).toBe(true);
    expect((await cli(['lab', '--presets', '01-softmax', ...TINY, '--out', lab, '--force'])).code).toBe(0);
    writeFileSync(join(lab, '01-softmax', 'draft.ts'), '// mine');
    const r = await cli(['lab', '--presets', '01-softmax', ...TINY, '--out', lab, '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--force replaces only a lab folder.*01-softmax/s);
    expect(existsSync(join(lab, '01-softmax', 'draft.ts'))).toBe(true);
  });

  it('tune starts a study only in a new or empty folder: never the current one, a parent or a folder of the user\'s', async () => {
    const cwd = tempDir();
    const sub = join(cwd, 'sub');
    mkdirSync(sub);
    writeStudy(sub, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'preset: 01-softmax', 'params:', '  - { name: lr, type: DOUBLE, minValue: 0.01, maxValue: 0.1 }']);
    const mine = join(cwd, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'results.csv'), 'my results');
    writeFileSync(join(mine, 'best.json'), '{"mine":true}');
    for (const [out, why] of [
      ['.', /is the current folder or one of its parents/],
      ['..', /is the current folder or one of its parents/],
      ['../mine', /already exists and is not empty/],
    ] as const) {
      const r = await cli(['tune', 'study.yaml', '--out', out], sub);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(why);
    }
    expect(readdirSync(sub).sort()).toEqual(['study.yaml']);
    expect(readdirSync(cwd).sort()).toEqual(['mine', 'sub']);
    expect(readFileSync(join(mine, 'results.csv'), 'utf8')).toBe('my results');
    expect(readFileSync(join(mine, 'best.json'), 'utf8')).toBe('{"mine":true}');
  });

  it('report and compare write a page only where none is, or over a page mnist-lab wrote', async () => {
    const dir = tempDir();
    const mine = join(dir, 'index.html');
    writeFileSync(mine, '<html>my page</html>');
    await expect(claimOutputPage(mine, [], '--out')).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringMatching(/not a page mnist-lab wrote/) });
    const ours = join(dir, 'compare.html');
    writeFileSync(ours, `<head>${PAGE_MARKER}</head>`);
    await expect(claimOutputPage(ours, [join(dir, 'compare.png')], '--out')).resolves.toBeUndefined();
    writeFileSync(join(dir, 'chart.png'), 'mine');
    await expect(claimOutputPage(join(dir, 'chart.html'), [join(dir, 'chart.png')], '--out')).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(mine, 'utf8')).toBe('<html>my page</html>');
  });
});

describe('--resume', () => {
  it('refuses by name the flags that would change the run, and applies --epochs and --data-dir saying so', async () => {
    const out = join(tempDir(), 'run');
    expect((await cli(['train', '01-softmax', ...TINY, '--out', out])).code).toBe(0);
    for (const [flags, named] of [
      [['03-relu-adam'], /the step argument "03-relu-adam"/],
      [['--lr', '0.5'], /--lr would change it/],
      [['--batch-size', '32'], /--batch-size would change it/],
      [['--seed', '4'], /--seed would change it/],
      [['--hp-conv1', '8'], /--hp-conv1 would change it/],
    ] as const) {
      const r = await cli(['train', ...flags, '--resume', out]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err).toMatch(named);
    }
    const longer = await cli(['train', '01-softmax', '--resume', out, '--epochs', '2', '--data-dir', MNIST_DIR, '--json']);
    expect(longer.err).toContain('--resume: training continues to 2 epochs');
    expect(longer.err).toContain(`--resume: reading the data from ${MNIST_DIR}`);
    expect(longer.code).toBe(0);
    expect(JSON.parse(longer.out)).toMatchObject({ epochs: 2, steps: 4, status: 'completed' });
  });

  it('refuses to continue a completed run unless --epochs asks for more, and leaves its results as they were', async () => {
    const out = join(tempDir(), 'run');
    expect((await cli(['train', '01-softmax', ...TINY, '--out', out])).code).toBe(0);
    const files = ['metrics.json', 'history.jsonl'].map((name) => join(out, name));
    const before = files.map((file) => readFileSync(file, 'utf8'));
    for (const flags of [[], ['--epochs', '1']]) {
      const r = await cli(['train', '--resume', out, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err).toMatch(/the run completed its 1 epoch\(s\); there is nothing to continue/);
      expect(r.err).toContain('hint: pass --epochs 2 or more to train it longer');
      expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(before);
    }
  });
});
