// Property test of the prediction API: random and mutated bodies under any content type get a typed 4xx or a right 200, never a 5xx.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { saveModel } from '../../src/models/io.js';
import { bodyToImages } from '../../src/predict/inputs.js';
import { predictImages } from '../../src/predict/predict.js';
import { buildApp } from '../../src/server/app.js';
import { greyPng } from '../helpers/png-writer.js';

let dir: string;
let app: FastifyInstance;
let model: tf.LayersModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-predict-property-'));
  await tf.setBackend('cpu');
  model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [PIXELS], units: 10, activation: 'softmax' })] });
  await saveModel(model, join(dir, 'model'));
  app = await buildApp({ models: { m: join(dir, 'model') }, limits: { bodyBytes: 64 * 1024, maxInstances: 4 } });
});

afterAll(async () => {
  await app?.close();
  model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const TYPED = new Set(['BAD_INPUT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'MODEL_NOT_FOUND']);
const image = () => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => ((x * 3 + y * 5) % 11) / 10));
const validJson = JSON.stringify({ instances: [{ image: image() }, { image: image().reverse() }] });
const validPng = greyPng((x, y) => (x > 8 && x < 18 && y > 4 && y < 24 ? 1 : 0), 28, 28);

const contentType = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'image/png', 'text/plain', 'application/octet-stream',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', undefined,
);
const spliceBytes = (bytes: Buffer) =>
  fc.tuple(fc.nat(), fc.nat(64), fc.uint8Array({ maxLength: 8 })).map(([at, cut, insert]) => {
    const i = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i + cut)]);
  });
const body = fc.oneof(
  fc.constant(Buffer.from(validJson)),
  spliceBytes(Buffer.from(validJson)),
  fc.constant(validPng),
  spliceBytes(validPng),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.constant(Buffer.alloc(0)),
);

describe('POST /v1/models/m:predict (property)', () => {
  it('answers every request with a typed 4xx or a 200 equal to the model, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(contentType, body, async (type, payload) => {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/models/m:predict',
          headers: type === undefined ? {} : { 'content-type': type },
          payload,
        });
        expect(response.statusCode, response.body).toBeLessThan(500);
        const answer = response.json();
        if (response.statusCode !== 200) {
          expect(TYPED.has(answer.code), response.body).toBe(true);
          expect(typeof answer.message).toBe('string');
          return;
        }
        expect(['application/json', 'image/png'].some((t) => type?.startsWith(t))).toBe(true);
        if (type?.startsWith('application/json')) {
          // A 200 for JSON means the body was valid: the same as the model on the body's images.
          const input = bodyToImages(JSON.parse(payload.toString('utf8')), 'check');
          const expected = predictImages(model, input.images, input.count);
          expect(answer.predictions.map((p: { classes: number }) => p.classes)).toEqual(expected.classes);
        } else {
          expect(answer.predictions).toHaveLength(1);
        }
      }),
      { seed: 20261202, numRuns: 300, timeout: 5000 },
    );
  });
});
