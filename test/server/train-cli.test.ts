// End to end: POST /api/runs starts the real `mnist-lab train` (source tree via tsx) and SSE streams its history.
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import type { HistoryRecord } from '../../src/train/history.js';
import { MNIST_DIR } from './fixture-model.js';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

let runsDir: string;
let app: FastifyInstance;
let url: string;
const savedDataEnv = process.env.MNIST_DATA;

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'mnist-lab-train-cli-'));
  // The child inherits the environment: this is how the CLI finds the data.
  process.env.MNIST_DATA = MNIST_DIR;
  app = await buildApp({ models: {}, runsDir, trainCommand: [process.execPath, '--import', 'tsx', CLI], limits: { pollMs: 50 } });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  process.env.MNIST_DATA = savedDataEnv;
  await app?.close();
  await rm(runsDir, { recursive: true, force: true });
});

describe('training started from the API', () => {
  it('runs the CLI, streams its records live and serves its pictures and report', async () => {
    const started = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: '01-softmax', epochs: 2, steps: 3, limit: 500 } });
    expect(started.statusCode).toBe(201);
    const { id, events } = started.json();
    const response = await fetch(`${url}${events}`, { signal: AbortSignal.timeout(90_000) });
    const text = await response.text();
    expect(text).toContain('event: exit\ndata: {"exitCode":0');
    const records = text
      .split('\n\n')
      .filter((block) => block.startsWith('id: '))
      .map((block) => JSON.parse(block.split('\ndata: ')[1]) as HistoryRecord);
    expect(records[0]).toMatchObject({ type: 'start', preset: '01-softmax', epochs: 2, stepsPerEpoch: 3 });
    expect(records.filter((r) => r.type === 'epoch').map((r) => (r as { epoch: number }).epoch)).toEqual([0, 1]);
    expect(records.at(-1)).toMatchObject({ type: 'end', status: 'completed' });

    const detail = (await app.inject(`/api/runs/${id}`)).json();
    expect(detail).toMatchObject({ id, preset: '01-softmax', epochsDone: 2, epochsPlanned: 2, hasReport: true });
    expect(detail.metrics).toMatchObject({ preset: '01-softmax', epochs: 2, steps: 6, status: 'completed' });
    expect(detail.pictures).toContain('predictions.png');
    const picture = await app.inject(`/api/runs/${id}/pictures/predictions.png`);
    expect(picture.statusCode).toBe(200);
    expect(picture.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expect((await app.inject(`/api/runs/${id}/report`)).body).toContain('<html');
  });
});
