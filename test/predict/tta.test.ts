// Test-time augmentation against a plain-loop reference (shift every image by hand, predict, average), and `eval --tta`.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { IDENTITY } from '../../src/data/augment.js';
import { loadDataset } from '../../src/data/load.js';
import { toBatch } from '../../src/data/pipeline.js';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from '../../src/data/types.js';
import { saveModel } from '../../src/models/io.js';
import { predictProbabilities } from '../../src/predict/predict.js';
import { TTA_SHIFTS, ttaProbabilities } from '../../src/predict/tta.js';
import { scoreProbabilities } from '../../src/util/probability-score.js';
import { Rng } from '../../src/util/rng.js';
import { captureIo } from '../helpers/capture.js';
import { MNIST_DIR, tempDir } from '../helpers/paths.js';
import { expectAllClose } from '../helpers/allclose.js';

/** A seeded, untrained dense softmax model: every pixel position has its own weights, so shifts change its output. */
function denseModel(): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [PIXELS], units: NUM_CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) })],
  });
}

/** Each image moved by (dx, dy) whole pixels, background coming in: the plain loop. */
function shifted(images: Float32Array, count: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) {
        const [sx, sy] = [x - dx, y - dy];
        if (sx >= 0 && sx < IMAGE_SIZE && sy >= 0 && sy < IMAGE_SIZE) out[i * PIXELS + y * IMAGE_SIZE + x] = images[i * PIXELS + sy * IMAGE_SIZE + sx];
      }
    }
  }
  return out;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('ttaProbabilities', () => {
  const rng = new Rng(1);
  const count = 12;
  const images = Float32Array.from({ length: count * PIXELS }, () => rng.next());
  let model: tf.Sequential;
  beforeAll(() => {
    model = denseModel();
  });
  const predict = (xs: Float32Array, n: number) => predictProbabilities(model, xs, n);

  it('averages the model over the image and its four 1-pixel shifts, as the plain loop does', () => {
    const reference = new Float32Array(count * NUM_CLASSES);
    const shifts = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]];
    for (const [dx, dy] of shifts) {
      predict(shifted(images, count, dx, dy), count).forEach((p, j) => (reference[j] += p / shifts.length));
    }
    const averaged = ttaProbabilities(images, count, predict);
    expectAllClose(averaged, reference, 1e-6, 1e-5);
    expect(TTA_SHIFTS).toHaveLength(5);
    // It did change something: the plain prediction differs.
    expect(Math.max(...averaged.map((p, j) => Math.abs(p - predict(images, count)[j])))).toBeGreaterThan(1e-3);
  });

  it('is deterministic, leaves the images alone, and with only the identity is the plain prediction', () => {
    const before = images.slice();
    expect(ttaProbabilities(images, count, predict)).toEqual(ttaProbabilities(images, count, predict));
    expect(images).toEqual(before);
    expect(ttaProbabilities(images, count, predict, [IDENTITY])).toEqual(predict(images, count));
  });

  it('rejects mismatched images, no variants and wrong-sized probabilities', () => {
    expect(() => ttaProbabilities(images, count + 1, predict)).toThrow(/images must be count × 784 floats/);
    expect(() => ttaProbabilities(images, count, predict, [])).toThrow(/variants must be at least one transform/);
    expect(() => ttaProbabilities(images, count, () => new Float32Array(3))).toThrow(/probabilities must be 12 × 10 values; got 3/);
  });
});

describe('mnist-lab eval --tta', () => {
  it('scores the averaged probabilities and says how many variants it averaged', async () => {
    const dir = join(tempDir(), 'model');
    const model = denseModel();
    await saveModel(model, dir);
    const run = async (...flags: string[]) => {
      const { io, stdout, stderr } = captureIo(tempDir());
      const code = await runCli(['eval', dir, '--data-dir', MNIST_DIR, '--limit', '300', '--backend', 'wasm', '--json', ...flags], io);
      expect(stderr.text).toBe('');
      expect(code).toBe(0);
      return JSON.parse(stdout.text) as { test_accuracy: number; test_loss: number; tta_variants: number };
    };
    const [plain, tta] = [await run(), await run('--tta')];
    expect(plain.tta_variants).toBe(1);
    expect(tta.tta_variants).toBe(5);
    const data = await loadDataset({ dir: MNIST_DIR, dataset: 'mnist', limit: 1, testLimit: 300 });
    const test = toBatch(data.test, 0, data.test.count);
    const expected = scoreProbabilities(ttaProbabilities(test.xs, test.size, (xs, n) => predictProbabilities(model, xs, n)), test.labels, test.size);
    expect(tta.test_accuracy).toBe(expected.accuracy);
    expect(tta.test_loss).toBeCloseTo(expected.loss, 5);
    expect(tta.test_loss).not.toBeCloseTo(plain.test_loss, 3);
  });
});
