// The study folder: results survive a reopen, a torn line from a crash is skipped, pending trials are found, duplicates ignored.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudyStore, type TrialResult, type TrialSpec } from '../../src/tune/store.js';

const studyText = [
  'goal: MAXIMIZE',
  'metric: accuracy',
  'maxTrials: 4',
  'params:',
  '  - { name: hp-conv1, type: INTEGER, minValue: 6, maxValue: 18 }',
  '  - { name: note, type: CATEGORICAL, categoricalValues: ["a,b", "c"] }',
].join('\n');

function resultFor(trial: TrialSpec, objective: number, status: TrialResult['status'] = 'completed'): TrialResult {
  return {
    id: trial.id,
    number: trial.number,
    status,
    objective,
    params: trial.params,
    intermediate: [objective],
    metrics: null,
    seconds: 1,
    worker: 'local',
    finishedAt: new Date().toISOString(),
  };
}

describe('study store', () => {
  it('keeps results across a reopen, re-queues the unfinished trials and ignores duplicate results', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'study-')), 'study');
    const store = StudyStore.create(dir, studyText, 'study.yaml');
    const t1 = store.addTrial({ 'hp-conv1': 6, note: 'a,b' });
    const t2 = store.addTrial({ 'hp-conv1': 12, note: 'c' });
    const t3 = store.addTrial({ 'hp-conv1': 18, note: 'c' });
    expect([t1.id, t2.id, t3.id]).toEqual(['t001', 't002', 't003']);
    expect(store.addResult(resultFor(t2, 0.97))).toBe(true);
    expect(store.addResult(resultFor(t1, 0.95))).toBe(true);
    expect(store.addResult(resultFor(t1, 0.99))).toBe(false);
    // A crash in the middle of appending a result leaves a torn line behind.
    appendFileSync(store.files.results, '{"id":"t003","sta');

    const reopened = StudyStore.open(dir);
    expect(reopened.meta).toEqual(store.meta);
    expect(reopened.study.goal).toBe('MAXIMIZE');
    expect(reopened.pending().map((t) => t.id)).toEqual(['t003']);
    expect(reopened.results().map((r) => [r.id, r.objective])).toEqual([
      ['t001', 0.95],
      ['t002', 0.97],
    ]);
    expect(reopened.addResult(resultFor(t3, 0.5, 'stopped'))).toBe(true);
    expect(reopened.addResult(resultFor(t3, 0.99))).toBe(false);
    expect(reopened.addTrial({ 'hp-conv1': 7, note: 'c' }).id).toBe('t004');

    const lines = readFileSync(store.files.results, 'utf8').split('\n').filter(Boolean);
    expect(lines.filter((l) => l.startsWith('{"id":"t003","number":3,')).length).toBe(1);
    expect(StudyStore.open(dir).results().map((r) => r.id)).toEqual(['t001', 't002', 't003']);

    // Best is the highest accuracy among completed trials; a stopped trial never wins.
    const best = JSON.parse(readFileSync(store.files.best, 'utf8'));
    expect(best).toMatchObject({ trial: 't002', objective: 0.97, completedTrials: 2 });
    const csv = readFileSync(store.files.csv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,status,objective,hp-conv1,note,test_accuracy,test_loss,seconds,worker,error');
    expect(csv[1]).toBe('t001,completed,0.95,6,"a,b",,,1.0,local,');
    expect(csv).toHaveLength(4);
  });

  it('refuses to start over an existing study and to resume a folder without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'study-'));
    StudyStore.create(dir, studyText, 'study.yaml');
    expect(() => StudyStore.create(dir, studyText, 'study.yaml')).toThrow(/already holds a study/);
    expect(() => StudyStore.open(mkdtempSync(join(tmpdir(), 'empty-')))).toThrow(/is not a study folder/);
  });
});
