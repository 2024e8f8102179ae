// The prediction API through fastify's inject: valid bodies, digits.json instances, PNG, every bad case, batching.
import { createCanvas } from '@napi-rs/canvas';
import type { FastifyInstance } from 'fastify';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { parseJsonInput } from '../../src/predict/inputs.js';
import { predictImages } from '../../src/predict/predict.js';
import { buildApp } from '../../src/server/app.js';
import { trainFixtureModel, type Fixture } from '../helpers/trained-model.js';

let dir: string;
let fixture: Fixture;
let app: FastifyInstance;

/** Test digit i as the 28×28 nested list the API takes. */
function image(i: number, images = fixture.test.images): number[][] {
  const flat = Array.from(images.subarray(i * PIXELS, (i + 1) * PIXELS));
  return Array.from({ length: 28 }, (_, y) => flat.slice(y * 28, (y + 1) * 28));
}

function predict(body: unknown, model = 'mnist') {
  return app.inject({ method: 'POST', url: `/v1/models/${model}:predict`, payload: body as object });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-server-'));
  fixture = await trainFixtureModel(join(dir, 'model'));
  app = await buildApp({ models: { mnist: join(dir, 'model') }, limits: { maxInstances: 32, bodyBytes: 512 * 1024 } });
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('prediction API', () => {
  it('reports health and the served models', async () => {
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('ok');
    const models = (await app.inject('/v1/models')).json().models;
    expect(models).toEqual([
      expect.objectContaining({ name: 'mnist', inputShape: [null, PIXELS], params: 784 * 64 + 64 + 64 * 10 + 10, predict: '/v1/models/mnist:predict' }),
    ]);
  });

  it('predicts an AI Platform body like the model itself, and mostly right', async () => {
    const count = 16;
    const response = await predict({ instances: Array.from({ length: count }, (_, i) => ({ image: image(i) })) });
    expect(response.statusCode).toBe(200);
    const { predictions } = response.json() as { predictions: { classes: number; probabilities: number[] }[] };
    const direct = predictImages(fixture.model, fixture.test.images.subarray(0, count * PIXELS), count);
    expect(predictions.map((p) => p.classes)).toEqual(direct.classes);
    predictions.forEach((p, i) => {
      expect(p.probabilities).toHaveLength(10);
      p.probabilities.forEach((v, k) => expect(v).toBeCloseTo(direct.probabilities[i][k], 5));
    });
    const right = predictions.filter((p, i) => p.classes === fixture.test.labels[i]).length;
    expect(right).toBeGreaterThanOrEqual(14);
  });

  it('takes digits.json instances (the codelab quantises pixels to 0, 0.5 and 1)', async () => {
    const quantised = fixture.test.images.subarray(0, 10 * PIXELS).map((v) => Math.round(v * 2) / 2);
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ image: image(i, quantised) })).join('\n');
    const parsed = parseJsonInput(lines, 'digits.json');
    const instances = Array.from({ length: parsed.count }, (_, i) => ({ image: image(i, parsed.images) }));
    const { predictions } = (await predict({ instances })).json() as { predictions: { classes: number }[] };
    const right = predictions.filter((p, i) => p.classes === fixture.test.labels[i]).length;
    expect(right).toBeGreaterThanOrEqual(8);
  });

  it('predicts an uploaded PNG the same as its JSON form', async () => {
    const canvas = createCanvas(28, 28);
    const context = canvas.getContext('2d');
    const data = context.createImageData(28, 28);
    const digit = fixture.test.images.subarray(3 * PIXELS, 4 * PIXELS);
    digit.forEach((v, i) => data.data.set([Math.round(v * 255), Math.round(v * 255), Math.round(v * 255), 255], 4 * i));
    context.putImageData(data, 0, 0);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/models/mnist:predict',
      headers: { 'content-type': 'image/png' },
      payload: canvas.toBuffer('image/png'),
    });
    expect(response.statusCode, response.body).toBe(200);
    const fromPng = response.json();
    expect(fromPng.note).toContain('light ink on a dark background');
    const fromJson = (await predict({ instances: [{ image: image(3) }] })).json();
    expect(fromPng.predictions[0].classes).toBe(fromJson.predictions[0].classes);
    fromPng.predictions[0].probabilities.forEach((p: number, k: number) => expect(p).toBeCloseTo(fromJson.predictions[0].probabilities[k], 4));
  });

  it('serves the model files for in-browser prediction, byte for byte, and nothing else', async () => {
    const modelJson = await app.inject('/models/mnist/model.json');
    expect(modelJson.statusCode).toBe(200);
    expect(modelJson.body).toBe(await readFile(join(dir, 'model', 'model.json'), 'utf8'));
    const weights = await app.inject('/models/mnist/weights.bin');
    expect(weights.rawPayload.equals(await readFile(join(dir, 'model', 'weights.bin')))).toBe(true);
    for (const url of ['/models/mnist/..%2F..%2Fetc%2Fpasswd', '/models/mnist/../../package.json', '/models/..%2Fmodel/model.json', '/models/other/model.json']) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(404);
    }
  });
});

describe('prediction API errors', () => {
  const good = () => ({ image: image(0) });

  async function expectError(response: Awaited<ReturnType<typeof predict>>, status: number, code: string, ...fragments: string[]) {
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body.code).toBe(code);
    for (const fragment of fragments) expect(body.message).toContain(fragment);
  }

  it('answers 404 MODEL_NOT_FOUND for an unknown model, listing the served ones', async () => {
    const response = await predict({ instances: [good()] }, 'nope');
    await expectError(response, 404, 'MODEL_NOT_FOUND', '"nope"');
    expect(response.json().hint).toContain('mnist');
  });

  it('rejects a wrong method name and a body without instances', async () => {
    const explain = await app.inject({ method: 'POST', url: '/v1/models/mnist:explain', payload: { instances: [good()] } });
    await expectError(explain, 400, 'BAD_INPUT', 'unknown method');
    await expectError(await predict({ image: image(0) }), 400, 'BAD_INPUT', "must have required property 'instances'");
    await expectError(await predict({ instances: 'x' }), 400, 'BAD_INPUT', 'instances must be array');
    await expectError(await predict({ instances: [] }), 400, 'BAD_INPUT', 'instances must NOT have fewer than 1');
  });

  it('names the instance that lacks an image or has the wrong shape', async () => {
    await expectError(await predict({ instances: [good(), { picture: 1 }] }), 400, 'BAD_INPUT', 'instances/1', "'image'");
    await expectError(await predict({ instances: [good(), good(), { image: image(0).slice(2) }] }), 400, 'BAD_INPUT', 'instance 2', '[28,28]', 'shape [26,28]');
    await expectError(await predict({ instances: [{ image: image(0).map((row) => row.slice(1)) }] }), 400, 'BAD_INPUT', 'instance 0', 'row 0 is shape [27]');
  });

  it('rejects NaN stand-ins, strings and values outside [0,1] by pixel', async () => {
    const withPixel = (value: unknown) => {
      const img: unknown[][] = image(0);
      img[10][12] = value;
      return { instances: [good(), { image: img }] };
    };
    await expectError(await predict(withPixel(null)), 400, 'BAD_INPUT', 'instance 1', 'pixel [10][12] is null');
    await expectError(await predict(withPixel('0.3')), 400, 'BAD_INPUT', 'pixel [10][12] is a string');
    await expectError(await predict(withPixel(2)), 400, 'BAD_INPUT', 'pixel [10][12] is 2, outside [0,1]');
    const nan = JSON.stringify({ instances: [good()] }).replace(/0(?=[,\]])/, 'NaN');
    const raw = await app.inject({ method: 'POST', url: '/v1/models/mnist:predict', headers: { 'content-type': 'application/json' }, payload: nan });
    await expectError(raw, 400, 'BAD_INPUT', 'JSON');
  });

  it('enforces the instance and body size limits', async () => {
    await expectError(await predict({ instances: Array.from({ length: 33 }, good) }), 400, 'BAD_INPUT', 'NOT have more than 32');
    const huge = { instances: Array.from({ length: 60 }, () => ({ image: image(0).map((row) => row.map(() => 0.123456789)) })) };
    await expectError(await predict(huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('rejects other content types and unreadable PNGs', async () => {
    const text = await app.inject({ method: 'POST', url: '/v1/models/mnist:predict', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    await expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const png = await app.inject({ method: 'POST', url: '/v1/models/mnist:predict', headers: { 'content-type': 'image/png' }, payload: Buffer.from('not a png') });
    await expectError(png, 400, 'BAD_INPUT', 'uploaded PNG');
  });
});

describe('micro-batching', () => {
  it('gives 20 parallel requests the one-by-one answers with fewer model calls', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => ({ instances: [{ image: image(i) }] }));
    const sequential: { predictions: { classes: number; probabilities: number[] }[] }[] = [];
    for (const body of bodies) sequential.push((await predict(body)).json());
    const calls = async (): Promise<number> => (await app.inject('/health')).json().models.mnist.calls;
    const callsBefore = await calls();
    const parallel = await Promise.all(bodies.map((body) => predict(body)));
    const parallelCalls = (await calls()) - callsBefore;
    parallel.forEach((response, i) => {
      expect(response.statusCode).toBe(200);
      const [got] = response.json().predictions;
      const [want] = sequential[i].predictions;
      expect(got.classes).toBe(want.classes);
      got.probabilities.forEach((p: number, k: number) => expect(p).toBeCloseTo(want.probabilities[k], 5));
    });
    expect(parallelCalls).toBeGreaterThanOrEqual(1);
    expect(parallelCalls).toBeLessThan(20);
  });
});
