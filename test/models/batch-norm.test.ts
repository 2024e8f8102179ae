// BatchNormalization with scale: false: the TF.js 4.22 crash it fixes, and Keras semantics against a plain-loop oracle.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../src/models/io.js';
import { BatchNormalization, batchNormalization } from '../../src/models/layers/batch-norm.js';
import { expectAllClose } from '../helpers/allclose.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Plain loops over rows of [rows, channels]: Keras training-mode batch norm and the moving-average update. */
function oracleTraining(x: Float32Array, channels: number, eps: number, momentum: number, beta: number[], gamma: number[]) {
  const rows = x.length / channels;
  const mean = new Array(channels).fill(0);
  const variance = new Array(channels).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < channels; c++) mean[c] += x[r * channels + c] / rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++) variance[c] += (x[r * channels + c] - mean[c]) ** 2 / rows;
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++)
      y[r * channels + c] = ((x[r * channels + c] - mean[c]) / Math.sqrt(variance[c] + eps)) * gamma[c] + beta[c];
  const movingMean = mean.map((m) => 0 * momentum + m * (1 - momentum));
  const movingVariance = variance.map((v) => 1 * momentum + v * (1 - momentum));
  return { y, movingMean, movingVariance };
}

function oracleInference(x: Float32Array, channels: number, eps: number, mean: number[], variance: number[], beta: number[]) {
  return x.map((v, i) => (v - mean[i % channels]) / Math.sqrt(variance[i % channels] + eps) + beta[i % channels]);
}

function randomInput(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 1.5, 2, 'float32', seed);
}

describe('BatchNormalization(scale: false)', () => {
  it("reproduces TF.js 4.22's crash with its own layer (remove our layer when this starts failing)", async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.batchNormalization({ scale: false })],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(model.fit(tf.ones([2, 4]), tf.ones([2, 3]), { epochs: 1, verbose: 0 })).rejects.toThrow(/read/);
  });

  it('trains where the stock layer crashes, with 2 weights per channel non-trainable', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3, useBias: false }), batchNormalization({ scale: false })],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await model.fit(tf.randomNormal([8, 4]), tf.randomNormal([8, 3]), { epochs: 1, verbose: 0 });
    expect(model.countParams()).toBe(12 + 9);
    expect(model.layers[1].trainableWeights.map((w) => w.shape)).toEqual([[3]]);
    expect(model.layers[1].nonTrainableWeights.map((w) => w.shape)).toEqual([[3], [3]]);
  });

  for (const shape of [
    [6, 5],
    [3, 4, 5, 2],
  ]) {
    it(`matches Keras training and inference semantics on ${JSON.stringify(shape)}`, () => {
      const channels = shape[shape.length - 1];
      const layer = batchNormalization({ scale: false, center: true, momentum: 0.9, epsilon: 1e-3, inputShape: shape.slice(1) });
      const x = randomInput(shape, 7);
      layer.build(x.shape);
      const beta = Array.from({ length: channels }, (_, c) => 0.1 * c - 0.2);
      layer.setWeights([tf.tensor1d(beta), tf.zeros([channels]), tf.ones([channels])]);
      const xs = x.dataSync() as Float32Array;
      const expected = oracleTraining(xs, channels, 1e-3, 0.9, beta, new Array(channels).fill(1));

      const yTrain = layer.apply(x, { training: true }) as tf.Tensor;
      expectAllClose(yTrain.dataSync(), expected.y, 1e-4);
      const [, movingMean, movingVariance] = layer.getWeights();
      expectAllClose(movingMean.dataSync(), expected.movingMean, 1e-5);
      expectAllClose(movingVariance.dataSync(), expected.movingVariance, 1e-5);

      const yInfer = layer.apply(x, { training: false }) as tf.Tensor;
      const inference = oracleInference(xs, channels, 1e-3, expected.movingMean, expected.movingVariance, beta);
      expectAllClose(yInfer.dataSync(), inference, 1e-4);
    });
  }

  for (const scale of [false, true]) {
    it(`gives the same gradients as autodiff of the plain formula (scale: ${scale})`, () => {
      const shape = [4, 3, 3, 5];
      const layer = batchNormalization({ scale, epsilon: 1e-3 });
      const x = randomInput(shape, 3);
      const weightsOfLoss = randomInput(shape, 4);
      layer.build(x.shape);
      const gamma = tf.tensor1d([0.5, 1, 1.5, 2, -1]);
      const beta = tf.tensor1d([0.3, -0.1, 0, 0.2, 1]);
      layer.setWeights(scale ? [gamma, beta, tf.zeros([5]), tf.ones([5])] : [beta, tf.zeros([5]), tf.ones([5])]);
      const lossThroughLayer = (input: tf.Tensor) =>
        tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, weightsOfLoss));
      const lossPlain = (input: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => {
        const { mean, variance } = tf.moments(input, [0, 1, 2]);
        const y = tf.add(tf.mul(tf.div(tf.sub(input, mean), tf.sqrt(tf.add(variance, 1e-3))), g), b);
        return tf.sum(tf.mul(y, weightsOfLoss));
      };
      const g = scale ? gamma : tf.ones([5]);
      const [dxPlain, dBetaPlain, dGammaPlain] = tf.grads(lossPlain)([x, beta, g]);
      expectAllClose(tf.grad(lossThroughLayer)(x).dataSync(), dxPlain.dataSync(), 1e-4);

      const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => lossThroughLayer(x) as tf.Scalar, variables);
      // Trainable weights come in Keras order: gamma (when scale), then beta.
      const [dGamma, dBeta] = scale ? variables.map((v) => grads[v.name]) : [undefined, grads[variables[0].name]];
      expectAllClose(dBeta.dataSync(), dBetaPlain.dataSync(), 1e-4);
      if (scale) expectAllClose(dGamma!.dataSync(), dGammaPlain.dataSync(), 1e-4);
    });
  }

  it('round-trips through saveModel/loadModel as a Keras "BatchNormalization" that still trains', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bn-'));
    try {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 3, useBias: false }), batchNormalization({ scale: false, momentum: 0.8 })],
      });
      const x = tf.randomNormal([5, 4]);
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await model.fit(x, tf.randomNormal([5, 3]), { epochs: 1, verbose: 0 });
      await saveModel(model, dir);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.modelTopology.config.layers[1].class_name).toBe('BatchNormalization');

      const loaded = await loadModel(dir);
      expect(loaded.layers[1]).toBeInstanceOf(BatchNormalization);
      expectAllClose((loaded.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync(), 1e-6);
      loaded.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await loaded.fit(x, tf.randomNormal([5, 3]), { epochs: 1, verbose: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
