// Studies on the BullMQ queue over a real redis-server: resume after the tuner stops, median stopping through job progress, an unreachable Redis.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabError } from '../../src/errors.js';
import { tuneCommand } from '../../src/commands/tune.js';
import { shouldStopByMedian } from '../../src/tune/median-stop.js';
import { captureIo, tempDir, writeStudy } from '../helpers/tune.js';
import { TIMINGS, freePort, hasRedis, readResults, redisForSuite, startWorker } from '../helpers/redis.js';

if (!hasRedis) console.warn('queue-study.test.ts skipped: redis-server is not on PATH (apt-get install redis-server)');

describe.skipIf(!hasRedis)('studies on the BullMQ queue', () => {
  const { url: redisUrl, workers } = redisForSuite();

  it('resumes after the tuner stops, taking results that workers finished meanwhile without re-running them', async () => {
    const cwd = tempDir('tune-queue-resume');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 4',
      'maxParallelTrials: 2',
      'algorithm: random',
      'preset: fake',
      'args: { evals: 2, delay-ms: 300 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const worker = await startWorker(redisUrl(), join(cwd, 'worker'));
    workers.push(worker);
    const controller = new AbortController();
    const io = captureIo(cwd, controller.signal, (line) => {
      if (/^t00\d completed/.test(line)) controller.abort();
    });
    const stopped = await tuneCommand({ studyFile, out: 'study', queue: redisUrl(), timings: TIMINGS, json: true, io }).catch((e: unknown) => e);
    expect((stopped as LabError).code).toBe('INTERRUPTED');
    const dir = join(cwd, 'study');
    expect(readResults(dir)).toHaveLength(1);
    // Let the worker finish the trial that was in flight while no tuner listens.
    await new Promise((r) => setTimeout(r, 1500));

    const summary = await tuneCommand({ studyFile, out: 'study', queue: redisUrl(), resume: true, timings: TIMINGS, io: captureIo(cwd) });
    expect(summary.completed).toBe(4);
    expect(readResults(dir).map((r) => r.id).sort()).toEqual(['t001', 't002', 't003', 't004']);
    // Each trial ran exactly once on the worker: the in-flight one was not started again.
    const runsPerTrial = readdirSync(join(cwd, 'worker'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('metrics.json'))
      .map((p) => /(t\d{3})-/.exec(p)?.[1])
      .sort();
    expect(runsPerTrial).toEqual(['t001', 't002', 't003', 't004']);
  });

  it('stops trials by the median rule through job progress', async () => {
    const cwd = tempDir('tune-queue-median');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 5',
      'maxParallelTrials: 1',
      'algorithm: random',
      'seed: 1',
      'earlyStopping: median',
      'earlyStoppingMinTrials: 2',
      'preset: fake',
      'args: { evals: 4, delay-ms: 200 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 12 }',
    ]);
    workers.push(await startWorker(redisUrl(), join(cwd, 'worker')));
    const summary = await tuneCommand({ studyFile, out: 'study', queue: redisUrl(), timings: TIMINGS, io: captureIo(cwd) });
    const results = readResults(join(cwd, 'study')).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    expect(results).toHaveLength(5);
    expect(summary.stopped).toBeGreaterThan(0);
    results.forEach((r, i) => {
      if (r.status !== 'stopped') return;
      const completed = results.slice(0, i).filter((c) => c.status === 'completed').map((c) => c.intermediate);
      // The decision was taken on the evaluations seen so far (a few more may arrive before the stop does).
      const prefixes = r.intermediate.map((_, k) => r.intermediate.slice(0, k + 1));
      expect(prefixes.some((values) => shouldStopByMedian({ values, completed, goal: 'MINIMIZE', minCompleted: 2 }))).toBe(true);
    });
  });
});

describe('queue flag', () => {
  it('refuses an unreachable Redis before making a study folder', async () => {
    const cwd = tempDir('tune-noredis');
    const studyFile = writeStudy(cwd, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'params:', '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }']);
    const port = await freePort();
    await expect(tuneCommand({ studyFile, out: 'study', queue: `redis://127.0.0.1:${port}`, io: captureIo(cwd) })).rejects.toThrow(
      new RegExp(`--queue redis://127.0.0.1:${port}: cannot reach Redis`),
    );
    expect(existsSync(join(cwd, 'study'))).toBe(false);
  });
});
