// Requests the prediction API must refuse with a typed 4xx (never a 500), and the 5xx log line with its request id.
import { createCanvas } from '@napi-rs/canvas';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { saveModel } from '../../src/models/io.js';
import { buildApp } from '../../src/server/app.js';
import { Capture } from '../helpers/capture.js';

let dir: string;
let app: FastifyInstance;
const log = new Capture();
const blank = () => Array.from({ length: 28 }, () => Array<number>(28).fill(0));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-request-errors-'));
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [PIXELS], units: 10, activation: 'softmax' })] });
  await saveModel(model, join(dir, 'model'));
  model.dispose();
  app = await buildApp({ models: { m: join(dir, 'model') }, log });
  // A route with a bug in it, to see what a 5xx leaves behind.
  app.get('/test/bug', async () => {
    throw new TypeError('cannot read properties of undefined (a planted bug)');
  });
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (headers: Record<string, string>, payload?: string | Buffer) =>
  app.inject({ method: 'POST', url: '/v1/models/m:predict', headers, ...(payload === undefined ? {} : { payload }) });

describe('content types and bodies the prediction API refuses', () => {
  it('answers 415 for text/plain and other types, naming the ones it takes', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/octet-stream', 'application/x-www-form-urlencoded']) {
      const response = await post({ 'content-type': type }, '{"instances": []}');
      expect(response.statusCode, type).toBe(415);
      expect(response.json(), type).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', hint: expect.stringContaining('image/png') });
    }
  });

  it('takes JSON with a charset parameter', async () => {
    const response = await post({ 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ instances: [{ image: blank() }] }));
    expect(response.statusCode).toBe(200);
  });

  it('answers 400 for a PNG cut short and for a JPEG labelled image/png, as the CLI does', async () => {
    const canvas = createCanvas(28, 28);
    canvas.getContext('2d').fillRect(6, 4, 12, 20);
    const png = canvas.toBuffer('image/png');
    for (const [bytes, fragment] of [[png.subarray(0, png.length - 20), 'not a complete PNG'], [canvas.toBuffer('image/jpeg'), 'a JPEG image']] as const) {
      const response = await post({ 'content-type': 'image/png' }, bytes);
      expect(response.statusCode, fragment).toBe(400);
      expect(response.json()).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`uploaded PNG: ${fragment}`) });
    }
    expect((await post({ 'content-type': 'image/png' }, png)).statusCode).toBe(200);
  });

  it('answers 400 for a POST without a body', async () => {
    const response = await post({});
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('BAD_INPUT');
  });

  it('rejects unknown keys in the body and in an instance, naming them', async () => {
    const extraTop = await post({ 'content-type': 'application/json' }, JSON.stringify({ instances: [{ image: blank() }], signature: 'x' }));
    expect(extraTop.statusCode).toBe(400);
    expect(extraTop.json()).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('"signature"') });
    const extraInstance = await post({ 'content-type': 'application/json' }, JSON.stringify({ instances: [{ image: blank() }, { image: blank(), label: 3 }] }));
    expect(extraInstance.statusCode).toBe(400);
    expect(extraInstance.json()).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/instances\/1.*"label"/) });
  });
});

describe('a 5xx', () => {
  it('is logged with its request id, and the id is in the response; 4xx and 2xx are not logged', async () => {
    log.text = '';
    const ok = await post({ 'content-type': 'application/json' }, JSON.stringify({ instances: [{ image: blank() }] }));
    expect(ok.statusCode).toBe(200);
    expect((await post({ 'content-type': 'text/plain' }, 'x')).statusCode).toBe(415);
    expect(log.text).toBe('');
    const bug = await app.inject('/test/bug');
    expect(bug.statusCode).toBe(500);
    const body = bug.json();
    expect(body).toMatchObject({ code: 'INTERNAL', requestId: expect.any(String) });
    expect(body.message).toContain(body.requestId);
    expect(body.message).not.toContain('planted bug');
    const lines = log.text.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: body.requestId, level: 50, err: { message: expect.stringContaining('planted bug') } });
  });
});
