// Ladder step 9 (codelab text only): the convolutional network with dropout on its dense layer.
import type { Preset } from '../preset.js';
import { buildConv } from './08-conv.js';
import { ADAM_001, DECAY_06, KERAS_BATCH_SIZE, KERAS_EPOCHS } from './recipe.js';

export const convDropoutPreset: Preset = {
  name: '09-conv-dropout',
  title: 'Convolutional network with dropout',
  build: () => buildConv(0.25),
  optimizer: ADAM_001,
  ...DECAY_06,
  batchSize: KERAS_BATCH_SIZE,
  epochs: KERAS_EPOCHS,
  params: { total: 354002, trainable: 354002, nonTrainable: 0 },
  expected: { accuracy: 0.99, claim: 'final accuracy should be well above 99%' },
  zoom: 16,
  choices: [
    'Dropout(0.25) after Dense(200): the codelab gives no rate or position. Step 10 speaks of "the dropout rate on ' +
      'the dense layer", so it sits there; 0.25 is the rate of keras_03 and of the old mnist_3.1 script (pkeep 0.75), ' +
      'and step 10 then changes it to 0.3',
  ],
  explain:
    'Dropout returns, now only on the big dense layer that holds most of the weights (313,800 of 354,002). ' +
    'Watch the test loss stay flat instead of rising late in training, and the accuracy pass 99%.',
};
