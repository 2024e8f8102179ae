// A damaged model folder (weights.bin cut short, a weight file missing or outside the folder) is a typed error and exit 2 in predict, eval and serve.
import * as tf from '@tensorflow/tfjs';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { loadModel, saveModel } from '../../src/models/io.js';
import { runCaptured } from '../helpers/capture.js';
import { MNIST_DIR } from '../helpers/paths.js';

let dir: string;
const good = () => join(dir, 'good');
const image = Array.from({ length: 28 }, () => Array<number>(28).fill(0));

/** A copy of the good model folder, damaged by `damage`. */
async function damaged(name: string, damage: (modelDir: string) => Promise<void>): Promise<string> {
  const modelDir = join(dir, name);
  await cp(good(), modelDir, { recursive: true });
  await damage(modelDir);
  return modelDir;
}

const cli = (args: string[]) => runCaptured(args, dir);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-model-files-'));
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [PIXELS], units: 8, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
  await saveModel(model, good());
  model.dispose();
  await writeFile(join(dir, 'digit.json'), JSON.stringify({ image }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loading a damaged model folder', () => {
  it('checks the weight bytes against the manifest: one byte short or long is refused, naming both sizes', async () => {
    const size = (await readFile(join(good(), 'weights.bin'))).length;
    expect(size).toBe(4 * (784 * 8 + 8 + 8 * 10 + 10));
    const short = await damaged('short', (d) => truncate(join(d, 'weights.bin'), size - 1));
    await expect(loadModel(short)).rejects.toMatchObject({
      code: 'BAD_MODEL_FILE',
      message: expect.stringContaining(`holds ${size - 1} bytes, but its model.json's weights need ${size}`),
    });
    const long = await damaged('long', async (d) => writeFile(join(d, 'weights.bin'), Buffer.concat([await readFile(join(d, 'weights.bin')), Buffer.alloc(4)])));
    await expect(loadModel(long)).rejects.toMatchObject({ code: 'BAD_MODEL_FILE', message: expect.stringContaining(`holds ${size + 4} bytes`) });
  });

  it('refuses a missing weight file, one outside the folder, and a topology TF.js cannot build', async () => {
    const missing = await damaged('missing', (d) => rm(join(d, 'weights.bin')));
    await expect(loadModel(missing)).rejects.toMatchObject({ code: 'BAD_MODEL_FILE', message: expect.stringContaining('weights.bin') });
    const rewrite = (edit: (json: { modelTopology: unknown; weightsManifest: { paths: string[] }[] }) => void) => async (d: string) => {
      const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
      edit(json);
      await writeFile(join(d, 'model.json'), JSON.stringify(json));
    };
    const outside = await damaged('outside', rewrite((json) => (json.weightsManifest[0].paths = ['../good/weights.bin'])));
    await expect(loadModel(outside)).rejects.toMatchObject({ code: 'BAD_MODEL_FILE', message: expect.stringContaining('leaves the model folder') });
    const topology = await damaged('topology', rewrite((json) => (json.modelTopology = { class_name: 'Nonsense' })));
    await expect(loadModel(topology)).rejects.toMatchObject({ code: 'BAD_MODEL_FILE' });
    const notJson = await damaged('not-json', (d) => writeFile(join(d, 'model.json'), '{"modelTopology": '));
    await expect(loadModel(notJson)).rejects.toMatchObject({ code: 'BAD_MODEL_FILE', message: expect.stringContaining('model.json') });
  });

  it('is exit 2 with the typed error in predict, eval and serve, never a stack trace', async () => {
    const short = await damaged('cli-short', (d) => truncate(join(d, 'weights.bin'), 100));
    const runs = [
      await cli(['predict', short, 'digit.json', '--backend', 'cpu']),
      await cli(['eval', short, '--data-dir', MNIST_DIR, '--limit', '20', '--backend', 'cpu']),
      await cli(['serve', '--model', short, '--port', '0', '--backend', 'cpu', '--runs-dir', join(dir, 'no-runs')]),
    ];
    for (const run of runs) {
      expect(run.code, run.err).toBe(2);
      expect(run.err).toMatch(/^error \[BAD_MODEL_FILE\]: .*weights\.bin holds 100 bytes/);
      expect(run.err).not.toMatch(/\n\s+at /);
    }
    expect((await cli(['predict', good(), 'digit.json', '--backend', 'cpu'])).code).toBe(0);
  });
});
