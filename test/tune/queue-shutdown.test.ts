// Real `mnist-lab tune --queue` and `mnist-lab worker` processes end promptly: tune after "done", a worker on Ctrl-C (exit 130), its trial handed back.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tuneCommand } from '../../src/commands/tune.js';
import { captureIo, tempDir, writeStudy } from '../helpers/tune.js';
import { TIMINGS, evaluatedRuns, hasRedis, readResults, redisForSuite, startCli, startRedis, startWorker, waitFor, type CliProcess } from '../helpers/redis.js';

if (!hasRedis) console.warn('queue-shutdown.test.ts skipped: redis-server is not on PATH (apt-get install redis-server)');

/** "Promptly": far below the 30 s and more the bugs took, with room for a loaded machine and for BullMQ's QueueEvents, which pauses 5 s after a lost connection. */
const PROMPT_MS = 10_000;

describe.skipIf(!hasRedis)('tune and worker processes on the queue end promptly', () => {
  const { url: redisUrl, workers } = redisForSuite();
  const processes: CliProcess[] = [];
  const cli = (args: string[], cwd: string) => {
    const started = startCli(args, cwd);
    processes.push(started);
    return started;
  };
  afterEach(() => {
    for (const p of processes.splice(0)) p.child.kill('SIGKILL');
  });

  it('tune --queue exits 0 within seconds of printing "done"', async () => {
    const cwd = tempDir('tune-exit');
    writeStudy(cwd, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 2', 'preset: fake', 'args: { evals: 1, delay-ms: 50 }', 'params:', '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }']);
    workers.push(await startWorker(redisUrl(), join(cwd, 'worker')));
    const tune = cli(['tune', 'study.yaml', '--out', 'study', '--queue', redisUrl()], cwd);
    await tune.waitForOutput(/^done: 2 completed/m);
    expect(await tune.exitWithin(PROMPT_MS)).toBe(0);
  });

  it('an idle worker exits 130 within seconds of Ctrl-C', async () => {
    const cwd = tempDir('worker-idle');
    const worker = cli(['worker', '--queue', redisUrl(), '--work-dir', 'work'], cwd);
    await worker.waitForOutput(/pulling trials from/);
    worker.child.kill('SIGINT');
    expect(await worker.exitWithin(PROMPT_MS)).toBe(130);
  });

  it('a busy worker hands its trial back on Ctrl-C and exits 130; the restarted worker completes it', async () => {
    const cwd = tempDir('worker-busy');
    const studyFile = writeStudy(cwd, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'preset: fake', 'args: { evals: 4, delay-ms: 300 }', 'params:', '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }']);
    // One attempt per job: a trial counted as a failed attempt would end failed, only a handed-back one can complete.
    const study = tuneCommand({ studyFile, out: 'study', queue: redisUrl(), timings: { ...TIMINGS, attempts: 1 }, io: captureIo(cwd) });
    const first = cli(['worker', '--queue', redisUrl(), '--work-dir', 'first'], cwd);
    await waitFor('the first worker to be mid-trial', () => (evaluatedRuns(join(cwd, 'first')).length ? true : undefined));
    first.child.kill('SIGINT');
    expect(await first.exitWithin(PROMPT_MS)).toBe(130);
    expect(first.output()).toMatch(/t001 handed back to the queue/);

    const restarted = cli(['worker', '--queue', redisUrl(), '--work-dir', 'restarted'], cwd);
    const summary = await study;
    expect(summary).toMatchObject({ completed: 1, failed: 0 });
    const [result] = readResults(join(cwd, 'study'));
    expect(result.worker).toBe(`${/worker (\S+) pulling/.exec(restarted.output())?.[1]}`);
    expect(result.intermediate).toHaveLength(4);
  });
});

describe.skipIf(!hasRedis)('Ctrl-C while Redis is gone', () => {
  const processes: CliProcess[] = [];
  afterEach(() => {
    for (const p of processes.splice(0)) p.child.kill('SIGKILL');
  });

  it.each([
    ['worker', (url: string) => ['worker', '--queue', url, '--work-dir', 'work'], /pulling trials from/],
    ['tune', (url: string) => ['tune', 'study.yaml', '--out', 'study', '--queue', url], /on the queue at/],
  ])('%s stops waiting for it and exits 130 within seconds', async (_name, args, ready) => {
    const cwd = tempDir('queue-no-redis');
    writeStudy(cwd, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'preset: fake', 'params:', '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }']);
    const redis = await startRedis();
    const started = startCli(args(redis.url), cwd);
    processes.push(started);
    await started.waitForOutput(ready);
    await redis.stop();
    await started.waitForOutput(/ECONNREFUSED/);
    started.child.kill('SIGINT');
    expect(await started.exitWithin(PROMPT_MS)).toBe(130);
  });

  it('a busy worker ends its trial and exits 130 within seconds', async () => {
    const cwd = tempDir('worker-busy-no-redis');
    const studyFile = writeStudy(cwd, ['goal: MINIMIZE', 'metric: loss', 'maxTrials: 1', 'preset: fake', 'args: { evals: 50, delay-ms: 200 }', 'params:', '  - { name: x, type: DOUBLE, minValue: 0, maxValue: 6 }']);
    const redis = await startRedis();
    const stopTuner = new AbortController();
    const study = tuneCommand({ studyFile, out: 'study', queue: redis.url, timings: TIMINGS, io: captureIo(cwd, stopTuner.signal) }).catch(() => undefined);
    const worker = startCli(['worker', '--queue', redis.url, '--work-dir', 'work'], cwd);
    processes.push(worker);
    await waitFor('the worker to be mid-trial', () => (evaluatedRuns(join(cwd, 'work')).length ? true : undefined));
    await redis.stop();
    await worker.waitForOutput(/ECONNREFUSED/);
    worker.child.kill('SIGINT');
    expect(await worker.exitWithin(PROMPT_MS)).toBe(130);
    expect(worker.output()).toMatch(/t001 left to go back to the queue once its lock expires \(Redis did not answer\)/);
    stopTuner.abort();
    await study;
  });
});
