// End to end: POST /api/runs starts the real `mnist-lab train` (source tree via tsx) and SSE streams its history.
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import { toBatch } from '../../src/data/pipeline.js';
import { loadModel } from '../../src/models/io.js';
import { imageRows } from '../../src/predict/image-rows.js';
import { predictImages } from '../../src/predict/predict.js';
import { buildApp } from '../../src/server/app.js';
import { runFiles } from '../../src/run/layout.js';
import type { HistoryRecord } from '../../src/run/schema.js';
import { MNIST_DIR } from '../helpers/trained-model.js';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

let runsDir: string;
let app: FastifyInstance;
let url: string;
const savedDataEnv = process.env.MNIST_DATA;

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'mnist-lab-train-cli-'));
  // The child inherits the environment: this is how the CLI finds the data.
  process.env.MNIST_DATA = MNIST_DIR;
  await tf.setBackend('cpu'); // serve() picks the engine; here the served run predicts on TF.js cpu
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
    expect(records[0]).toMatchObject({ type: 'start', step: '01-softmax', epochs: 2, stepsPerEpoch: 3 });
    expect(records.filter((r) => r.type === 'epoch').map((r) => (r as { epoch: number }).epoch)).toEqual([0, 1]);
    expect(records.at(-1)).toMatchObject({ type: 'end', status: 'completed' });

    const detail = (await app.inject(`/api/runs/${id}`)).json();
    expect(detail).toMatchObject({ id, preset: '01-softmax', epochsDone: 2, epochsPlanned: 2, hasReport: true });
    expect(detail.metrics).toMatchObject({ step: '01-softmax', epochs: 2, steps: 6, status: 'completed' });
    expect(detail.pictures).toContain('predictions.png');
    const picture = await app.inject(`/api/runs/${id}/pictures/predictions.png`);
    expect(picture.statusCode).toBe(200);
    expect(picture.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expect((await app.inject(`/api/runs/${id}/report`)).body).toContain('<html');

    // Drawing with the run it trained: the model joins the served ones and predicts like the saved model.
    expect(detail.hasModel).toBe(true);
    const [first, again] = await Promise.all([0, 1].map(() => app.inject({ method: 'POST', url: `/api/runs/${id}/model` })));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ name: id, predict: `/v1/models/${id}:predict`, files: `/models/${id}/model.json` });
    expect(again.json()).toEqual(first.json());
    const { models } = (await app.inject('/v1/models')).json();
    expect(models.map((m: { name: string }) => m.name)).toEqual([id]);
    expect((await app.inject(`/models/${id}/model.json`)).json().modelTopology).toBeDefined();
    const data = await loadDataset({ dir: MNIST_DIR, dataset: 'mnist', testLimit: 3, limit: 1 });
    const saved = await loadModel(runFiles(join(runsDir, id)).model);
    const { xs } = toBatch(data.test, 0, 3);
    const expected = predictImages(saved, xs, 3);
    const instances = [0, 1, 2].map((i) => ({ image: imageRows(xs, i) }));
    const predicted = await app.inject({ method: 'POST', url: `/v1/models/${id}:predict`, payload: { instances } });
    expect(predicted.json().predictions.map((p: { classes: number }) => p.classes)).toEqual(expected.classes);
    saved.dispose();
  });

  it('refuses to serve a run without a saved model, or an unknown run', async () => {
    await mkdir(join(runsDir, 'half-run'));
    await writeFile(join(runsDir, 'half-run', 'config.json'), JSON.stringify({ preset: '01-softmax' }));
    const half = await app.inject({ method: 'POST', url: '/api/runs/half-run/model' });
    expect(half.statusCode).toBe(409);
    expect(half.json()).toMatchObject({ code: 'RUN_INCOMPLETE', message: expect.stringContaining('half-run has no saved model') });
    const unknown = await app.inject({ method: 'POST', url: '/api/runs/no-such-run/model' });
    expect(unknown.statusCode).toBe(404);
  });
});
