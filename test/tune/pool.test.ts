// Tiny studies on the local pool with a real child process per trial (the fake trainer): results, parallelism, median stopping, fail-fast, Ctrl-C + resume.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { tuneCommand } from '../../src/commands/tune.js';
import { shouldStopByMedian } from '../../src/tune/median-stop.js';
import type { TrialResult } from '../../src/tune/store.js';
import { FAKE_TRIAL, captureIo, tempDir, writeStudy } from '../helpers/tune.js';

const readResults = (dir: string): TrialResult[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TrialResult);

describe('local pool', () => {
  it('runs every trial as a run folder, at most maxParallelTrials at once, and keeps the best', async () => {
    const cwd = tempDir('tune-pool');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 6',
      'maxParallelTrials: 3',
      'algorithm: random',
      'seed: 4',
      'preset: fake',
      'args: { evals: 2, delay-ms: 150 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const io = captureIo(cwd);
    const summary = await tuneCommand({ studyFile, out: 'study', trialCommand: FAKE_TRIAL, json: true, io });
    const dir = join(cwd, 'study');
    const results = readResults(dir);
    expect(results.map((r) => r.id).sort()).toEqual(['t001', 't002', 't003', 't004', 't005', 't006']);
    expect(summary).toMatchObject({ completed: 6, stopped: 0, failed: 0 });
    for (const r of results) {
      expect(r.status).toBe('completed');
      // The objective is the trial's test_loss, which the fake trainer computes as (x-3)²+1.
      expect(r.objective).toBeCloseTo(((r.params.x as number) - 3) ** 2 + 1, 10);
      expect(r.intermediate).toHaveLength(2);
      expect(existsSync(join(dir, 'trials', r.id, 'history.jsonl'))).toBe(true);
      expect(existsSync(join(dir, 'trials', r.id, 'metrics.json'))).toBe(true);
    }
    const best = JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8'));
    const lowest = results.reduce((a, b) => ((a.objective as number) <= (b.objective as number) ? a : b));
    expect(best.trial).toBe(lowest.id);
    expect(summary.best?.id).toBe(lowest.id);
    // No more than three trials ever overlapped in time.
    const spans = results.map((r) => JSON.parse(readFileSync(join(dir, 'trials', r.id, 'span.json'), 'utf8')) as { started: number; ended: number });
    const overlap = Math.max(...spans.map((s) => spans.filter((o) => o.started <= s.started && o.ended > s.started).length));
    expect(overlap).toBeLessThanOrEqual(3);
    expect(JSON.parse(io.out().trim())).toMatchObject({ completed: 6, best: { id: lowest.id } });
  });

  it('stops trials by the median rule and records them as stopped', async () => {
    const cwd = tempDir('tune-median');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 8',
      'maxParallelTrials: 1',
      'algorithm: random',
      'seed: 1',
      'earlyStopping: median',
      'earlyStoppingMinTrials: 2',
      'preset: fake',
      'args: { evals: 4, delay-ms: 250 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 12 }',
    ]);
    const io = captureIo(cwd);
    const summary = await tuneCommand({ studyFile, out: 'study', trialCommand: FAKE_TRIAL, io });
    const results = readResults(join(cwd, 'study')).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    expect(results).toHaveLength(8);
    expect(summary.stopped).toBeGreaterThan(0);
    // Without --json the progress is the output: a line per trial and the summary, on stdout.
    const lines = io.out().trim().split('\n');
    expect(lines[0]).toMatch(/^study \S+ in .*: random search, 8 trials, 1 at a time, minimize loss, median stopping, local processes$/);
    expect(lines.filter((line) => /^t00\d (completed|stopped) +loss=/.test(line))).toHaveLength(8);
    expect(lines.at(-1)).toMatch(new RegExp(`^done: ${summary.completed} completed, ${summary.stopped} stopped, 0 failed; best t\\d+ loss=`));
    expect(io.err()).toBe('');
    const completedBefore = (i: number) => results.slice(0, i).filter((r) => r.status === 'completed').map((r) => r.intermediate);
    results.forEach((r, i) => {
      if (r.status === 'stopped') {
        // Ended before its last evaluation, at a point where the rule says stop, and scored by its best value so far.
        expect(r.intermediate.length).toBeLessThan(4);
        const prefixes = r.intermediate.map((_, k) => r.intermediate.slice(0, k + 1));
        expect(prefixes.some((values) => shouldStopByMedian({ values, completed: completedBefore(i), goal: 'MINIMIZE', minCompleted: 2 }))).toBe(true);
        expect(r.objective).toBe(Math.min(...r.intermediate));
      } else {
        expect(r.status).toBe('completed');
        expect(r.intermediate).toHaveLength(4);
      }
    });
  });

  it('gives up at once when the training command rejects the study flags', async () => {
    const cwd = tempDir('tune-bad');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 5',
      'maxParallelTrials: 1',
      'preset: fake',
      'args: { exit-code: 2 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const error = await tuneCommand({ studyFile, out: 'study', trialCommand: FAKE_TRIAL, io: captureIo(cwd) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toMatch(/t001 was rejected by the training command: exited with code 2: fake-trial: asked to fail/);
    expect(readResults(join(cwd, 'study'))).toHaveLength(1);
  });

  it('keeps finished trials on Ctrl-C and completes the study on --resume with one result per trial', async () => {
    const cwd = tempDir('tune-resume');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 5',
      'maxParallelTrials: 2',
      'algorithm: tpe',
      'startupTrials: 2',
      'preset: fake',
      'args: { evals: 2, delay-ms: 300 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const controller = new AbortController();
    const io = captureIo(cwd, controller.signal, (line) => {
      if (/^t00\d completed/.test(line)) controller.abort();
    });
    const interrupted = await tuneCommand({ studyFile, out: 'study', trialCommand: FAKE_TRIAL, json: true, io }).catch((e: unknown) => e);
    expect((interrupted as LabError).code).toBe('INTERRUPTED');
    const dir = join(cwd, 'study');
    const before = readResults(dir);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.length).toBeLessThan(5);

    const again = captureIo(cwd);
    const summary = await tuneCommand({ studyFile, out: 'study', resume: true, trialCommand: FAKE_TRIAL, json: true, io: again });
    expect(again.err()).toMatch(/resuming: \d unfinished trial/);
    const after = readResults(dir);
    expect(after.map((r) => r.id).sort()).toEqual(['t001', 't002', 't003', 't004', 't005']);
    expect(summary.completed).toBe(5);
    // Results from before the interruption are kept as they were.
    for (const r of before) expect(after.find((a) => a.id === r.id)).toEqual(r);

    await expect(tuneCommand({ studyFile, out: 'study', trialCommand: FAKE_TRIAL, io: captureIo(cwd) })).rejects.toThrow(/already holds a study/);
  });
});
