// ModelLoader: runs served while the server runs, loaded once per name, never under a name taken by another folder.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/models/io.js';
import { ModelLoader, type ServedModel } from '../../src/server/model-registry.js';

let dir: string;
const served = new Map<string, ServedModel>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-loader-'));
  await tf.setBackend('cpu');
  for (const name of ['a', 'b', 'c']) {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
    await saveModel(model, join(dir, name));
    model.dispose();
  }
});

afterAll(async () => {
  for (const model of served.values()) {
    model.predictor.dispose();
    model.model.dispose();
  }
  await rm(dir, { recursive: true, force: true });
});

describe('ModelLoader', () => {
  it('loads a name once even when asked twice at the same time, and refuses a name taken by another folder or past its limit', async () => {
    const loader = new ModelLoader(served, { windowMs: 1, maxBatch: 8 }, 2);
    const [first, second] = await Promise.all([loader.serve('a', join(dir, 'a')), loader.serve('a', join(dir, 'a'))]);
    expect(first).toBe(second);
    expect([...served.keys()]).toEqual(['a']);
    await expect(loader.serve('a', join(dir, 'b'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('already serves another model') });
    await loader.serve('b', join(dir, 'b'));
    await expect(loader.serve('c', join(dir, 'c'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('the most it holds') });
    expect([...served.keys()]).toEqual(['a', 'b']);
    expect(await loader.serve('b', join(dir, 'b'))).toBe(served.get('b'));
  });
});
