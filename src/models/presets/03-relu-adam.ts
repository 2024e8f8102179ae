// Ladder step 3 (keras_02_mnist_dense): relu hidden layers and the Adam optimizer.
import * as tf from '@tensorflow/tfjs';
import { PIXELS } from '../../data/types.js';
import type { Preset } from '../preset.js';
import { KERAS_BATCH_SIZE, KERAS_EPOCHS } from './recipe.js';

/** Dense 200 → 60 → 10 with relu, shared by steps 3 to 5, which change only the training recipe. */
export function buildReluDense(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [PIXELS], units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 60, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

export const reluAdamPreset: Preset = {
  name: '03-relu-adam',
  title: 'relu + Adam',
  build: buildReluDense,
  optimizer: { kind: 'adam', lr: 0.001 },
  schedule: null,
  scheduleText: null,
  batchSize: KERAS_BATCH_SIZE,
  epochs: KERAS_EPOCHS,
  params: { total: 169670, trainable: 169670, nonTrainable: 0 },
  expected: { accuracy: 0.97, claim: 'should now be 97% (recorded: val_acc 0.9770)' },
  zoom: 1,
  choices: ["optimizer 'adam' is Keras's default Adam: learning rate 0.001"],
  explain:
    'Same layers as step 2, but relu instead of sigmoid (it does not saturate for positive inputs) and Adam ' +
    'instead of SGD (a per-weight adaptive step). Watch the accuracy jump to about 97% within the first epochs, ' +
    'and the test loss drift up in the last epochs while the training loss keeps falling: the first sign of overfitting.',
};
