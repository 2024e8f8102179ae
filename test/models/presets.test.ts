// The contract every preset keeps (Keras's run_layer_test): shape, codelab parameter count, a step lowers the loss, JSON round-trip, no leaks.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { initBackend } from '../../src/engine/backend.js';
import { loadModel, saveModel } from '../../src/models/io.js';
import { PRESET_NAMES, getPreset, listPresets } from '../../src/models/index.js';
import type { Preset } from '../../src/models/preset.js';
import { summarize } from '../../src/models/summary.js';
import { Rng, installMathRandom } from '../../src/util/rng.js';
import { expectAllClose } from './allclose.js';

/** The codelab's model.summary() totals (spec §1a); mlengine's follow task.py's layers at the default sizes. */
const SPEC_PARAMS: Record<string, [total: number, trainable: number, nonTrainable: number]> = {
  '01-softmax': [7850, 7850, 0],
  '02-sigmoid': [169670, 169670, 0],
  '03-relu-adam': [169670, 169670, 0],
  '04-adam-fast': [169670, 169670, 0],
  '05-lr-decay': [169670, 169670, 0],
  '06-deeper': [183770, 183770, 0],
  '07-dense-dropout': [183770, 183770, 0],
  '08-conv': [354002, 354002, 0],
  '09-conv-dropout': [354002, 354002, 0],
  '10-conv-bn': [354538, 354002, 536],
  // conv 6x6x1x6+6, 5x5x6x12+12, 4x4x12x24+24, dense 1176x200+200, 200x10+10, BN beta 242 | moving stats 2x242
  mlengine: [244802, 244318, 484],
};

const BATCH = 6;
let restoreRandom: () => void;
let dir: string;

beforeAll(async () => {
  // wasm with our Conv2DBackpropFilter: the CNN presets train here as they do in `mnist-lab train`.
  await initBackend({ backend: 'wasm' });
  restoreRandom = installMathRandom(new Rng(1234));
  dir = await mkdtemp(join(tmpdir(), 'presets-'));
});

afterAll(async () => {
  restoreRandom();
  await rm(dir, { recursive: true, force: true });
});

function optimizerOf(preset: Preset): tf.Optimizer {
  return preset.optimizer.kind === 'adam' ? tf.train.adam(preset.optimizer.lr) : tf.train.sgd(preset.optimizer.lr);
}

/** Training-mode cross-entropy with dropout masks drawn from a fixed random state, so it is a function of the weights. */
function trainingLoss(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, maskSeed: number): tf.Scalar {
  const restore = installMathRandom(new Rng(maskSeed));
  try {
    return tf.mean(tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar;
  } finally {
    restore();
  }
}

/** Like MNIST digits: mostly background, about a fifth of the pixels inked with values in (0, 1]. */
function digitLikeBatch(): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.randomUniform([BATCH, PIXELS], 0, 1, 'float32', 1);
    return tf.where(tf.greater(u, 0.8), tf.sub(tf.mul(u, 5), 4), tf.zerosLike(u)) as tf.Tensor2D;
  });
}

describe('every preset', () => {
  it('is listed in codelab order and found by name', () => {
    expect(listPresets().map((p) => p.name)).toEqual([...PRESET_NAMES]);
    expect(Object.keys(SPEC_PARAMS)).toEqual([...PRESET_NAMES]);
  });

  for (const name of PRESET_NAMES) {
    it(`${name}: probabilities of shape [b,10], codelab parameter counts, a step lowers the loss, JSON round-trip, no leaks`, async () => {
      const preset = getPreset(name);
      const model = preset.build();
      const xs = digitLikeBatch();
      const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10);

      const probabilities = model.predict(xs) as tf.Tensor;
      expect(probabilities.shape).toEqual([BATCH, 10]);
      expectAllClose(tf.sum(probabilities, 1).dataSync(), new Array(BATCH).fill(1), 1e-5);

      const [total, trainable, nonTrainable] = SPEC_PARAMS[name];
      const summary = summarize(model);
      expect([model.countParams(), summary.trainable, summary.nonTrainable]).toEqual([total, trainable, nonTrainable]);
      expect(preset.params).toEqual({ total, trainable, nonTrainable });

      const optimizer = optimizerOf(preset);
      const step = () => tf.tidy(() => {
        optimizer.minimize(() => trainingLoss(model, xs, ys, 99));
      });
      const lossNow = () => tf.tidy(() => trainingLoss(model, xs, ys, 99).dataSync()[0]);
      const before = lossNow();
      step();
      expect(lossNow()).toBeLessThan(before);

      const tensorsAfterFirstStep = tf.memory().numTensors;
      step();
      step();
      expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);

      const modelDir = join(dir, name);
      await saveModel(model, modelDir);
      const loaded = await loadModel(modelDir);
      expectAllClose((loaded.predict(xs) as tf.Tensor).dataSync(), (model.predict(xs) as tf.Tensor).dataSync(), 1e-6);
      tf.dispose([xs, ys, probabilities]);
      optimizer.dispose();
      model.dispose();
      loaded.dispose();
    });
  }
});
