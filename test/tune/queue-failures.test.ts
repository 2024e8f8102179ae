// Worker failures on a real redis-server: a worker SIGKILLed mid-trial and one stopped with Ctrl-C; every trial still ends with exactly one result.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tuneCommand, workerCommand } from '../../src/commands/tune.js';
import { FAKE_TRIAL, captureIo, tempDir, writeStudy } from '../helpers/tune.js';
import { TIMINGS, evaluatedRuns, hasRedis, readResults, redisForSuite, startWorker, waitFor } from '../helpers/redis.js';

if (!hasRedis) console.warn('queue-failures.test.ts skipped: redis-server is not on PATH (apt-get install redis-server)');

describe.skipIf(!hasRedis)('worker failures on the BullMQ queue', () => {
  const { url: redisUrl, workers } = redisForSuite();

  it('completes every trial exactly once although a worker is killed mid-trial', async () => {
    const cwd = tempDir('tune-queue');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 4',
      'maxParallelTrials: 2',
      'algorithm: random',
      'seed: 2',
      'preset: fake',
      'args: { evals: 3, delay-ms: 350 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const [victim, survivor] = await Promise.all([startWorker(redisUrl(), join(cwd, 'worker-a')), startWorker(redisUrl(), join(cwd, 'worker-b'))]);
    workers.push(victim, survivor);

    const io = captureIo(cwd);
    const study = tuneCommand({ studyFile, out: 'study', queue: redisUrl(), timings: TIMINGS, io });
    // Kill worker A (SIGKILL: no goodbye) as soon as its trial has written an evaluation.
    const [killedRun] = await waitFor('worker A to be mid-trial', () => {
      const runs = evaluatedRuns(victim.workDir);
      return runs.length ? runs : undefined;
    });
    victim.child.kill('SIGKILL');
    const killedTrial = /(t\d{3})-/.exec(killedRun)?.[1];

    const summary = await study;
    const dir = join(cwd, 'study');
    const results = readResults(dir);
    expect(results.map((r) => r.id).sort()).toEqual(['t001', 't002', 't003', 't004']);
    expect(summary).toMatchObject({ completed: 4, failed: 0 });
    for (const r of results) {
      expect(r.status).toBe('completed');
      expect(r.objective).toBeCloseTo(((r.params.x as number) - 3) ** 2 + 1, 10);
      expect(r.intermediate).toHaveLength(3);
      // The run folder came back through the queue into the study.
      const metrics = JSON.parse(readFileSync(join(dir, 'trials', r.id, 'metrics.json'), 'utf8'));
      expect(metrics.test_loss).toBe(r.objective);
      expect(readFileSync(join(dir, 'trials', r.id, 'history.jsonl'), 'utf8')).toContain('"type":"end"');
    }
    // The killed worker's trial was retried by the survivor.
    expect(killedTrial).toBeDefined();
    expect(results.find((r) => r.id === killedTrial)?.worker).toBe(survivor.name);
    expect(results.some((r) => r.worker === victim.name)).toBe(false);
  });

  it('gives the trial of a worker stopped with Ctrl-C back to the queue', async () => {
    const cwd = tempDir('tune-queue-ctrlc');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 1',
      'preset: fake',
      'args: { evals: 3, delay-ms: 300 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    const ctrlC = new AbortController();
    const workDir = join(cwd, 'worker-a');
    const stoppedWorker = workerCommand({ queue: redisUrl(), concurrency: 1, workDir, trialCommand: FAKE_TRIAL, timings: TIMINGS, io: captureIo(cwd, ctrlC.signal) });
    const study = tuneCommand({ studyFile, out: 'study', queue: redisUrl(), timings: TIMINGS, io: captureIo(cwd) });
    await waitFor('worker A to be mid-trial', () => (evaluatedRuns(workDir).length ? true : undefined));
    ctrlC.abort();
    await stoppedWorker;
    workers.push(await startWorker(redisUrl(), join(cwd, 'worker-b')));
    const summary = await study;
    expect(summary.completed).toBe(1);
    const [result] = readResults(join(cwd, 'study'));
    expect(result.worker).toBe(workers[0].name);
    // Worker A's run was interrupted, not finished.
    expect(evaluatedRuns(workDir).some((p) => existsSync(join(workDir, p.replace('history.jsonl', 'metrics.json'))))).toBe(false);
  });
});
