// serve(): a run folder's model served on a loopback port, the URL printed, the steps from their lab files.
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { saveModel } from '../../src/models/io.js';
import { stepListings } from '../../src/runner/step-infos.js';
import { predictImages } from '../../src/predict/predict.js';
import { runCli } from '../../src/cli/run-cli.js';
import { runServer, serve } from '../../src/commands/serve.js';
import { captureIo } from '../helpers/capture.js';

let dir: string;
let app: FastifyInstance | undefined;
let model: tf.LayersModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-serve-'));
  await tf.setBackend('cpu');
  model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [PIXELS], units: 10, activation: 'softmax' })] });
  await saveModel(model, join(dir, 'runs', 'my-run', 'model'));
  await mkdir(join(dir, 'empty-run'));
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve', () => {
  it('serves a run on 127.0.0.1, prints where, and predicts over HTTP', async () => {
    const lines: string[] = [];
    const started = await serve({ run: join(dir, 'runs', 'my-run'), port: 0, runsDir: join(dir, 'runs'), backend: 'cpu', print: (l) => lines.push(l) });
    app = started.app;
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toBe(`mnist-lab server listening on ${started.url} (predictions on cpu)`);
    expect(lines).toContain(`  predict: POST ${started.url}/v1/models/my-run:predict`);

    const image = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => ((x * y) % 11) / 10));
    const response = await fetch(`${started.url}/v1/models/my-run:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ image }] }),
    });
    const { predictions } = await response.json();
    const expected = predictImages(model, Float32Array.from(image.flat()), 1);
    expect(predictions[0].classes).toBe(expected.classes[0]);
    predictions[0].probabilities.forEach((p: number, k: number) => expect(p).toBeCloseTo(expected.probabilities[0][k], 6));

    const { presets } = await (await fetch(`${started.url}/api/presets`)).json();
    const listings = await stepListings();
    expect(presets.map((p: { name: string }) => p.name)).toEqual(listings.map((p) => p.name));
    expect(presets[0].explain).toBe(listings[0].explain);
  });

  it('refuses a bad port and a run without a model, naming them', async () => {
    await expect(serve({ run: join(dir, 'runs', 'my-run'), port: 70000, runsDir: dir, print: () => {} })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('--port'),
    });
    await expect(serve({ run: join(dir, 'empty-run'), port: 0, runsDir: dir, backend: 'cpu', print: () => {} })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining(join(dir, 'empty-run', 'model', 'model.json')),
    });
  });

  it('refuses a port in use with a typed error, exit 2 from the CLI', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(serve({ run: join(dir, 'runs', 'my-run'), port, runsDir: dir, backend: 'cpu', print: () => {} })).rejects.toMatchObject({
        code: 'BAD_ARGUMENT',
        message: `--port ${port} is already in use on 127.0.0.1`,
      });
      const { io, stderr } = captureIo(dir);
      const code = await runCli(['serve', '--model', join(dir, 'runs', 'my-run', 'model'), '--port', String(port), '--backend', 'cpu'], io);
      expect(code).toBe(2);
      expect(stderr.text).toMatch(new RegExp(`^error \\[BAD_ARGUMENT\\]: --port ${port} is already in use on 127\\.0\\.0\\.1\\n  hint: `));
    } finally {
      taken.close();
    }
  });

  it('without --run or --model, serves the newest finished run of the runs folder, lab steps included', async () => {
    const runs = join(dir, 'auto-runs');
    const finishedRun = async (runDir: string, time: string, status: 'completed' | 'interrupted') => {
      await saveModel(model, join(runDir, 'model'));
      const records = [
        { type: 'start', time, step: '01-softmax', epochs: 1, stepsPerEpoch: 1, batchSize: 1, engine: 'tfjs-cpu', initialEpoch: 0, optimizer: '', loss: '', lr: [], zoom: 1, xTitle: 'epochs' },
        { type: 'end', time, status },
      ];
      await writeFile(join(runDir, 'history.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    };
    await finishedRun(join(runs, 'older-run'), '2026-11-01T00:00:00.000Z', 'completed');
    await finishedRun(join(runs, 'lab-2', '10-conv-bn'), '2026-11-02T00:00:00.000Z', 'completed');
    await finishedRun(join(runs, 'newest-but-interrupted'), '2026-11-03T00:00:00.000Z', 'interrupted');
    const lines: string[] = [];
    const started = await serve({ port: 0, runsDir: runs, backend: 'cpu', print: (l) => lines.push(l) });
    app = started.app;
    expect(lines[0]).toBe('serving the newest finished run, lab-2/10-conv-bn (choose another with --run DIR or --model DIR)');
    const { models } = await (await fetch(`${started.url}/v1/models`)).json();
    expect(models.map((m: { name: string }) => m.name)).toEqual(['10-conv-bn']);
    await app.close();
    app = undefined;

    const none: string[] = [];
    const empty = await serve({ port: 0, runsDir: join(dir, 'no-runs'), backend: 'cpu', print: (l) => none.push(l) });
    await empty.app.close();
    expect(none.at(-1)).toBe(`  no model to serve: pass --run DIR or --model DIR, or finish a training under ${join(dir, 'no-runs')}`);
  });

  it('runServer serves until told to stop, then closes', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const running = runServer({ model: join(dir, 'runs', 'my-run', 'model'), port: 0, runsDir: dir, backend: 'cpu', print: (l) => lines.push(l) }, stop.signal);
    while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const serverUrl = lines[0].split(' ')[4];
    expect((await fetch(`${serverUrl}/health`)).status).toBe(200);
    stop.abort();
    await running;
    await expect(fetch(`${serverUrl}/health`)).rejects.toThrow();
  });
});
