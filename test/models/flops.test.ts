// modelFlops against FLOP counted by hand on small models, and the 10-conv-bn figure the speed benchmark uses.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFlops } from '../../src/models/flops.js';
import { batchNormalization } from '../../src/models/layers/batch-norm.js';
import { stepModel } from '../helpers/steps.js';

describe('modelFlops', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('counts conv and dense multiply-adds by hand: forward, weight gradients, input gradients above the first trainable layer', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [36], targetShape: [6, 6, 1] }),
        tf.layers.conv2d({ kernelSize: 3, filters: 2, padding: 'same' }), // 6·6 outputs × 2 filters × 3·3·1 = 648
        batchNormalization({}),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.conv2d({ kernelSize: 2, strides: 2, filters: 4 }), // 3·3 outputs × 4 filters × 2·2·2 = 288
        tf.layers.maxPooling2d({ poolSize: 3 }), // 1·1·4
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: 'relu' }), // 4 × 5 = 20
        tf.layers.dense({ units: 3, activation: 'softmax' }), // 5 × 3 = 15
      ],
    });
    const forward = 2 * (648 + 288 + 20 + 15);
    expect(modelFlops(model)).toEqual({
      forward,
      backwardWeights: forward,
      backwardData: 2 * (288 + 20 + 15), // not for the first conv: nothing below it has weights
      training: 2 * forward + 2 * (288 + 20 + 15),
    });
    model.dispose();
  });

  it('counts the input gradient of the first matrix layer when a trainable layer (batch norm) is below it', () => {
    const model = tf.sequential({
      layers: [batchNormalization({ inputShape: [8] }), tf.layers.dense({ units: 4 }), tf.layers.dense({ units: 2 })],
    });
    const forward = 2 * (8 * 4 + 4 * 2);
    expect(modelFlops(model)).toEqual({ forward, backwardWeights: forward, backwardData: forward, training: 3 * forward });
    model.dispose();
  });

  it('leaves out a frozen layer\'s weight gradient, and the input gradient above it when nothing below trains', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [6], units: 4, trainable: false }), tf.layers.dense({ units: 3 })],
    });
    expect(modelFlops(model)).toEqual({ forward: 2 * (24 + 12), backwardWeights: 2 * 12, backwardData: 0, training: 2 * (24 + 12) + 2 * 12 });
    model.dispose();
  });

  it('gives 10-conv-bn, as its lab file builds it, 22.55 MFLOP per trained image', async () => {
    const model = await stepModel('10-conv-bn');
    // Multiply-adds of conv 3×3 1→12 at 28×28, conv 6×6 12→24 to 14×14, conv 6×6 24→32 to 7×7, dense 1568→200, 200→10.
    const macs = [28 * 28 * 12 * 3 * 3, 14 * 14 * 24 * 6 * 6 * 12, 7 * 7 * 32 * 6 * 6 * 24, 1568 * 200, 200 * 10];
    const forward = 2 * macs.reduce((a, b) => a + b, 0);
    expect(modelFlops(model)).toEqual({ forward, backwardWeights: forward, backwardData: forward - 2 * macs[0], training: 3 * forward - 2 * macs[0] });
    expect(modelFlops(model).training).toBe(22_553_568);
    model.dispose();
  });
});
