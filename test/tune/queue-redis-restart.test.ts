// Redis dies mid-study and comes back empty (no persistence): the tuner queues its lost jobs again and the study completes, one result per trial.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tuneCommand } from '../../src/commands/tune.js';
import { captureIo, tempDir, writeStudy } from '../helpers/tune.js';
import { TIMINGS, evaluatedRuns, hasRedis, readResults, startRedis, startWorker, waitFor, type RedisServer, type WorkerProcess } from '../helpers/redis.js';

if (!hasRedis) console.warn('queue-redis-restart.test.ts skipped: redis-server is not on PATH (apt-get install redis-server)');

describe.skipIf(!hasRedis)('a Redis restart during a study', () => {
  let redis: RedisServer | undefined;
  let worker: WorkerProcess | undefined;

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('re-queues the jobs Redis lost and completes every trial once', async () => {
    redis = await startRedis();
    const { url } = redis;
    const port = Number(new URL(url).port);
    const cwd = tempDir('tune-redis-restart');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 3',
      'maxParallelTrials: 2',
      'algorithm: random',
      'preset: fake',
      'args: { evals: 3, delay-ms: 300 }',
      'params:',
      '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }',
    ]);
    worker = await startWorker(url, join(cwd, 'worker'));
    const io = captureIo(cwd);
    const study = tuneCommand({ studyFile, out: 'study', queue: url, timings: TIMINGS, json: true, io });
    await waitFor('a trial to be running', () => (evaluatedRuns(worker!.workDir).length ? true : undefined));
    await redis.stop();
    redis = await startRedis(port);

    const summary = await study;
    expect(io.err()).toMatch(/its job is gone from Redis; queueing it again/);
    expect(summary.completed).toBe(3);
    const results = readResults(join(cwd, 'study'));
    expect(results.map((r) => r.id).sort()).toEqual(['t001', 't002', 't003']);
    for (const r of results) expect(r.objective).toBeCloseTo(((r.params.x as number) - 3) ** 2 + 1, 10);
  });
});
