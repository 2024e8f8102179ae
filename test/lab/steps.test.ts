// The contract every lab step keeps (Keras's run_layer_test): shape, codelab parameter count, a step lowers the loss,
// JSON round-trip, no leaks; and what each lab file says of itself and its recipe.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import { initBackend } from '../../src/engine/backend.js';
import { loadModel, saveModel } from '../../src/models/io.js';
import { summarize } from '../../src/models/summary.js';
import { STEP_NAMES, stepFile } from '../../src/runner/catalogue.js';
import { loadStep } from '../../src/runner/step-file.js';
import { Rng, installMathRandom } from '../../src/util/rng.js';
import { expectAllClose } from '../helpers/allclose.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { stepPlan } from '../helpers/steps.js';

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
  // Beyond the codelab. 11: 3x3x1x16, 3x3x16x16, 5x5x16x16, 3x3x16x32, 3x3x32x32, 5x5x32x32, 4x4x32x64 convs, dense
  // 64x10+10, BN beta 208 | moving stats 2x208. 12: conv 4x4x1x16, 3x3x16x32, dense 800x256, 256x10+10, BN beta 304 | 2x304.
  '11-beyond': [82314, 81898, 416],
  '12-speedrun': [213146, 212538, 608],
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

describe('every lab step', () => {
  it('is listed in codelab order, each in its own lab file', () => {
    expect(Object.keys(SPEC_PARAMS)).toEqual([...STEP_NAMES]);
    expect(stepFile('10-conv-bn')).toBe(join(REPO_ROOT, 'lab', '10-conv-bn.ts'));
  });

  for (const name of STEP_NAMES) {
    it(`${name}: probabilities of shape [b,10], codelab parameter counts, a step lowers the loss, JSON round-trip, no leaks`, async () => {
      const plan = await stepPlan(name);
      const model = plan.model;
      const xs = digitLikeBatch();
      const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10);

      const probabilities = model.predict(xs) as tf.Tensor;
      expect(probabilities.shape).toEqual([BATCH, 10]);
      expectAllClose(tf.sum(probabilities, 1).dataSync(), new Array(BATCH).fill(1), 1e-5);

      const [total, trainable, nonTrainable] = SPEC_PARAMS[name];
      const summary = summarize(model);
      expect([model.countParams(), summary.trainable, summary.nonTrainable]).toEqual([total, trainable, nonTrainable]);

      // The file's own compiled optimizer takes the step.
      const optimizer = model.optimizer;
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

  /** A step's training plan, its model disposed: the recipe alone. */
  const recipe = async (name: string, hp: Record<string, number> = {}) => {
    const plan = await stepPlan(name, hp);
    plan.model.dispose();
    return plan;
  };

  it("keeps the codelab's recipes: batch sizes, steps per epoch, learning rates", async () => {
    const softmax = await recipe('01-softmax');
    expect(softmax).toMatchObject({ batchSize: 128, epochs: 10, stepsPerEpoch: 468, totalSteps: 4680 });
    expect(softmax.optimizer).toBe('SGD (learningRate 0.01)');
    expect(softmax.lr.every((p) => p.y === 0.01)).toBe(true);
    const bn = await recipe('10-conv-bn');
    expect(bn).toMatchObject({ batchSize: 64, epochs: 10, stepsPerEpoch: 937 });
    expect(bn.optimizer).toBe('Adam (learningRate 0.01, beta1 0.9, beta2 0.999, epsilon 1e-7)');
    // plot_learning_rate's title: "decays from 0.01 to 0.000258" (0.01 · 0.666^9).
    expect(bn.lr[9].y).toBeCloseTo(0.000258, 6);
    const decay = await recipe('05-lr-decay');
    expect(decay.lr[9].y).toBeCloseTo(0.000101, 6);
    const mlengine = await recipe('mlengine');
    expect(mlengine).toMatchObject({ batchSize: 100, epochs: 30, stepsPerEpoch: 100, totalSteps: 3000 });
    const tuned = await recipe('mlengine', { conv1: 15, conv2: 38, conv3: 64, lr2: 601, iterations: 2050 });
    expect(tuned).toMatchObject({ epochs: 21, stepsPerEpoch: 100, totalSteps: 2050 });
    expect(tuned.lr.find((p) => p.x === 20)?.y).toBeCloseTo(0.0001 + 0.02 * Math.exp(-2000 / 601), 12);
  });

  it('keeps the recipes beyond the codelab, and their knobs change each ingredient', async () => {
    const beyond = await recipe('11-beyond');
    expect(beyond).toMatchObject({ batchSize: 128, epochs: 35, stepsPerEpoch: 468, totalSteps: 16380, loss: 'categoricalCrossentropy (label smoothing 0)' });
    expect(beyond.training.augment).toEqual({ shift: 2.5, rotate: 10, scale: 0.1 });
    // One cycle over the 16,380 steps: 0.005 / 25 at the start, 0.005 after a quarter, nearly nothing at the end.
    expect(beyond.learningRate(0, 0)).toBeCloseTo(0.0002, 12);
    expect(beyond.learningRate(8, 0.25 * 16380 - 1)).toBeCloseTo(0.005, 12);
    expect(beyond.learningRate(34, 16379)).toBeCloseTo(0.0002 / 1e4, 12);
    const changed = await recipe('11-beyond', { augment: 0, onecycle: 0, smoothing: 0.1 });
    expect(changed.training.augment).toEqual({ shift: 0, rotate: 0, scale: 0 });
    expect(changed.loss).toBe('categoricalCrossentropy (label smoothing 0.1)');
    [0, 1, 19].forEach((epoch) => expect(changed.learningRate(epoch, epoch * 468 + 7)).toBeCloseTo(0.01 * 0.666 ** epoch, 12));
    const smaller = await stepPlan('11-beyond', { width: 0.5 });
    expect(smaller.model.countParams()).toBeLessThan(82314 / 3);
    smaller.model.dispose();

    const short = await recipe('12-speedrun');
    expect(short).toMatchObject({ batchSize: 256, epochs: 4, stepsPerEpoch: 59, totalSteps: 234 });
    expect(short.training.augment).toEqual({ shift: 0, rotate: 0, scale: 0 });
    expect(Math.max(...Array.from({ length: 234 }, (_, step) => short.learningRate(0, step)))).toBeCloseTo(0.02, 3);
    const long = await recipe('12-speedrun', { target: 0.995 });
    expect(long).toMatchObject({ batchSize: 256, epochs: 10, stepsPerEpoch: 140, totalSteps: 1400 });
    expect(long.training.augment).toEqual({ shift: 1.5, rotate: 8, scale: 0.08 });
  });

  it('says what it is: a title, the codelab source and words, a pass bar and a lesson; mlengine its --hp-* knobs', async () => {
    for (const name of STEP_NAMES) {
      const { about } = await loadStep(name, { cwd: REPO_ROOT, typecheck: false });
      expect(about, name).not.toBeNull();
      expect(about!.lesson.length, name).toBeGreaterThan(80);
      expect(about!.passBar, name).toBeGreaterThanOrEqual(0.6);
      expect(about!.passBar, name).toBeLessThan(1);
    }
    const softmax = await loadStep('01-softmax', { cwd: REPO_ROOT, typecheck: false });
    expect(softmax.about?.passBar).toBe(0.89);
    const mlengine = await loadStep('mlengine', { cwd: REPO_ROOT, typecheck: false });
    expect(Object.keys(mlengine.about?.hyperparameters ?? {})).toEqual(['lr0', 'lr1', 'lr2', 'dropout', 'conv1', 'conv2', 'conv3', 'bnexp', 'iterations']);
    for (const open of ['02-sigmoid', '04-adam-fast', '06-deeper', '09-conv-dropout']) {
      expect((await loadStep(open, { cwd: REPO_ROOT, typecheck: false })).about?.choices.length, open).toBeGreaterThan(0);
    }
  });
});
