// The compiled predictor: inference-only native networks equal TF.js's model.predict (cpu backend) for the ladder's
// 10-conv-bn and for pooling / GAP models, in chunks of maxBatch, with its errors and unsupported reasons.
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { compilePredictor } from '../../../src/engine/native/compile-predictor.js';
import type { CompiledPredictor } from '../../../src/engine/types.js';
import { LabError } from '../../../src/errors.js';
import { stepModel } from '../../helpers/steps.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/allclose.js';
import { describeNative, randomFloats, seededBuild } from '../../helpers/native-reference.js';

function predictorOf(model: tf.Sequential, maxBatch: number): CompiledPredictor {
  const compiled = compilePredictor(model, { maxBatch });
  if (!compiled.predictor) throw new Error(compiled.reason);
  return compiled.predictor;
}

function expectPredictsLikeTfjs(model: tf.Sequential, count: number, maxBatch: number, seed: number): void {
  const features = model.inputs[0].shape[1] as number;
  const images = randomFloats(new Rng(seed), count * features);
  const predictor = predictorOf(model, maxBatch);
  const expected = tf.tidy(() => (model.predict(tf.tensor2d(images, [count, features])) as tf.Tensor).dataSync() as Float32Array);
  expectAllClose(predictor.probabilities(images, count), expected, 1e-6, 1e-4);
  predictor.dispose();
}

describeNative('compiled native predictor', () => {
  it('10-conv-bn (batch norm with moving statistics, dropout off) in chunks of maxBatch', async () => {
    const model = await stepModel('10-conv-bn');
    // Moving statistics that are not the initial 0 / 1, so inference batch norm is really exercised.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      layer.setWeights(layer.getWeights().map((w, i, all) => (i >= all.length - 2 ? tf.randomUniform(w.shape, 0.5, 1.5) : w)));
    }
    expectPredictsLikeTfjs(model, 7, 3, 2);
    // Several chunks of about 32 on both threads; the activations between the input and the output take turns in
    // two buffers, each chunk at its own place in them.
    expectPredictsLikeTfjs(model, 300, 256, 8);
  });

  it('a single dense layer: the input straight to the output, nothing between', async () => {
    expectPredictsLikeTfjs(await stepModel('01-softmax'), 9, 4, 7);
  });

  it('a max-pooling CNN and a GAP head ending in Activation(softmax)', async () => {
    const pooled = seededBuild(3, () =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [144], targetShape: [12, 12, 1] }),
          tf.layers.conv2d({ kernelSize: 3, filters: 4, activation: 'relu', padding: 'same' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    );
    expectPredictsLikeTfjs(pooled, 5, 5, 4);
    const gap = seededBuild(5, () =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [64], targetShape: [8, 8, 1] }),
          tf.layers.conv2d({ kernelSize: 3, filters: 10, activation: 'tanh', padding: 'same' }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.activation({ activation: 'softmax' }),
        ],
      }),
    );
    expectPredictsLikeTfjs(gap, 4, 2, 6);
  });

  it('holds the weights the model had when compiled', async () => {
    const model = await stepModel('03-relu-adam');
    const images = randomFloats(new Rng(8), 2 * 784);
    const before = tf.tidy(() => (model.predict(tf.tensor2d(images, [2, 784])) as tf.Tensor).dataSync() as Float32Array);
    const predictor = predictorOf(model, 2);
    model.setWeights(model.getWeights().map((w) => tf.zerosLike(w)));
    expectAllClose(predictor.probabilities(images, 2), before, 1e-6, 1e-4);
    predictor.dispose();
  });

  it('bad input and a disposed predictor are LabErrors; unsupported models get a reason', async () => {
    const model = await stepModel('03-relu-adam');
    const predictor = predictorOf(model, 4);
    expect(() => predictor.probabilities(new Float32Array(100), 1)).toThrow(/100 floats for 1 images; expected 784/);
    expect(() => predictor.probabilities(new Float32Array(784), 0)).toThrow(LabError);
    predictor.dispose();
    expect(() => predictor.probabilities(new Float32Array(784), 1)).toThrow(/disposed/);
    expect(() => compilePredictor(model, { maxBatch: 0 })).toThrow(/maxBatch must be a positive integer/);
    const elu = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 10, activation: 'elu' })] });
    expect(compilePredictor(elu, { maxBatch: 1 })).toEqual({ predictor: null, reason: expect.stringMatching(/\(Dense\): activation "elu"/) });
  });
});
