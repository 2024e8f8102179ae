// `mnist-lab speedrun`: a child timed from its spawn to the line that reaches the target (stand-in children speaking
// the protocol), the median, the refusals, and a real short speedrun of lab/12-speedrun.ts to 97% on a subset.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { medianSeconds, speedrunCommand, timeToTarget, type SeedTiming } from '../../src/commands/speedrun.js';
import type { LabError } from '../../src/errors.js';
import { captureIo } from '../helpers/capture.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { MNIST_DIR, tempDir } from '../helpers/paths.js';

/** A Node child that prints `lines` (JSON messages or raw text) at the given milliseconds, then does `end`. */
function standIn(lines: [ms: number, line: unknown][], end: string): string[] {
  const steps = lines.map(([ms, line]) => `setTimeout(() => process.stdout.write(${JSON.stringify(typeof line === 'string' ? line : JSON.stringify(line))} + '\\n'), ${ms});`);
  return ['-e', `${steps.join('\n')}\n${end}`];
}

const evaluation = (step: number, accuracy: number, evaluationMs: number) => ({ type: 'evaluation', step, accuracy, loss: 1 - accuracy, evaluationMs });
const time = (args: string[], target = 0.99, signal?: AbortSignal) => timeToTarget(process.execPath, args, target, 7, { cwd: tempDir(), signal });

describe('timeToTarget', () => {
  it('times from the spawn to the first evaluation at or above the target, and stops the child there', async () => {
    const started = performance.now();
    const t = await time(standIn([[0, { type: 'start' }], [50, evaluation(10, 0.95, 5)], [400, evaluation(20, 0.99, 9)], [500, evaluation(30, 0.999, 12)]], 'setTimeout(() => {}, 60000);'));
    expect(t).toMatchObject({ seed: 7, accuracy: 0.99, steps: 20, evaluations: 2, evaluationSeconds: 0.009 });
    expect(t.seconds).toBeGreaterThanOrEqual(0.4);
    expect(t.startupSeconds).toBeGreaterThan(0);
    expect(t.startupSeconds).toBeLessThan(t.seconds as number);
    // The child would have run for a minute: it was stopped once the target was read.
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('gives no time and the best evaluation when the child ends below the target, ignoring lines that are not JSON', async () => {
    const t = await time(standIn([[0, 'a warning'], [10, { type: 'start' }], [20, evaluation(10, 0.97, 5)], [30, evaluation(20, 0.96, 9)], [40, { type: 'end' }]], 'setTimeout(() => {}, 100);'));
    expect(t).toMatchObject({ seconds: null, accuracy: 0.97, steps: 10, evaluations: 1 });
  });

  it("rejects with the child's own error, code and hint, or with what it printed when it crashed", async () => {
    const said = { type: 'error', code: 'DATA_NOT_FOUND', message: 'no data here', hint: 'pass --data-dir', exitCode: 2 };
    const error = (await time(standIn([[0, said]], 'setTimeout(() => process.exit(2), 50);')).catch((e: unknown) => e)) as LabError;
    expect(error).toMatchObject({ code: 'DATA_NOT_FOUND', message: 'no data here', hint: 'pass --data-dir', exitCode: 2 });
    const crash = (await time(['-e', "console.error('boom'); process.exit(3)"]).catch((e: unknown) => e)) as LabError;
    expect(crash.code).toBe('WORKER_FAILED');
    expect(crash.message).toMatch(/seed 7: the process ended \(exit 3\) without evaluating:\nboom/);
  });

  it('stops the child and rejects as interrupted on Ctrl-C', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = (await time(['-e', 'setTimeout(() => {}, 60000)'], 0.99, controller.signal).catch((e: unknown) => e)) as LabError;
    expect(error).toMatchObject({ code: 'INTERRUPTED', exitCode: 130 });
  });
});

describe('medianSeconds', () => {
  const seed = (seconds: number | null): SeedTiming => ({ seed: 0, seconds, accuracy: 0.99, steps: 1, evaluations: 1, startupSeconds: 0, evaluationSeconds: 0 });
  it('is the middle time, or the mean of the two middle ones, a seed that never reached counting as the slowest', () => {
    expect(medianSeconds([3, 1, 2].map(seed))).toBe(2);
    expect(medianSeconds([4, 1, 3, 2].map(seed))).toBe(2.5);
    expect(medianSeconds([5, null, 1].map(seed))).toBe(5);
    expect(medianSeconds([null, null, 1].map(seed))).toBeNull();
  });
});

describe('mnist-lab speedrun', () => {
  it('refuses a target out of range and a lab file without a target hyperparameter', async () => {
    const cwd = tempDir();
    const bad = captureIo(cwd);
    expect(await runCli(['speedrun', '--target', '99'], bad.io)).toBe(2);
    expect(bad.stderr.text).toMatch(/--target must be a decimal number ≥ 0.5 and ≤ 0.999; got "99"/);
    const file = join(cwd, 'no-target.ts');
    writeFileSync(file, "export const about = { title: 't', source: 's', codelab: 'c', passBar: 0.9, lesson: 'l' };\nexport default async function main(): Promise<void> {}\n");
    const none = captureIo(cwd);
    expect(await runCli(['speedrun', file], none.io)).toBe(2);
    expect(none.stderr.text).toMatch(/declares no `target` hyperparameter/);
  });

  it.skipIf(SKIP_NATIVE)('reaches 97% on the first 2,000 test digits with lab/12-speedrun.ts trained on 12,000 digits, timed from the spawn', async () => {
    const { io, stdout } = captureIo(tempDir());
    const result = await speedrunCommand({ target: 0.97, seeds: [3], limit: 12_000, valLimit: 2_000, dataDir: MNIST_DIR }, io);
    expect(result).toMatchObject({ step: '12-speedrun', target: 0.97, testDigits: 2_000, reached: 1 });
    const [t] = result.seeds;
    expect(t.seed).toBe(3);
    expect(t.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(t.startupSeconds).toBeGreaterThan(0);
    expect(t.seconds).toBeGreaterThan(t.startupSeconds as number);
    expect(result.medianSeconds).toBe(t.seconds);
    expect(stdout.text).toMatch(/first 2000 test digits \(--val-limit: a check, not a record\)/);
    expect(stdout.text).toMatch(/12-speedrun: median \d+\.\d\d s; 1 of 1 seeds reached 97\.00%\./);
  });
});
