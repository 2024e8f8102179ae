// Ladder step 8 (keras_04_mnist_convolutional): three convolutional layers, a dense layer and softmax.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS } from '../../data/types.js';
import type { Preset } from '../preset.js';
import { ADAM_001, DECAY_06, KERAS_BATCH_SIZE, KERAS_EPOCHS } from './recipe.js';

/** keras_04's network; step 9 passes a rate to add dropout after the dense layer. */
export function buildConv(denseDropout?: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [PIXELS], targetShape: [IMAGE_SIZE, IMAGE_SIZE, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 12, activation: 'relu', padding: 'same' }),
      tf.layers.conv2d({ kernelSize: 6, filters: 24, activation: 'relu', padding: 'same', strides: 2 }),
      tf.layers.conv2d({ kernelSize: 6, filters: 32, activation: 'relu', padding: 'same', strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 200, activation: 'relu' }),
      ...(denseDropout === undefined ? [] : [tf.layers.dropout({ rate: denseDropout })]),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

export const convPreset: Preset = {
  name: '08-conv',
  title: 'Convolutional network',
  build: () => buildConv(),
  optimizer: ADAM_001,
  ...DECAY_06,
  batchSize: KERAS_BATCH_SIZE,
  epochs: KERAS_EPOCHS,
  params: { total: 354002, trainable: 354002, nonTrainable: 0 },
  expected: { accuracy: 0.985, claim: 'pretty close to 99%, about 110 errors (recorded: val_acc 0.9892)' },
  zoom: 16,
  choices: [],
  explain:
    'The image keeps its 28x28 shape: 3x3 then 6x6 filters slide over it, and strides of 2 shrink it to 14x14 ' +
    'and 7x7 while the channels grow (12, 24, 32), before one dense layer. Fewer weights look at local patterns. ' +
    'Watch accuracy get close to 99% (about 110 errors), but the test loss rise again late in training: it overfits.',
};
