// Beyond the codelab, step 11: one model past 99.6% on the 10k test digits, trained in under 10 minutes on 2 cores.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

/** The recipe's ingredients as knobs, so that each can be taken away (bench/beyond-ablation.ts measures them). */
const HYPERPARAMETERS = {
  epochs: { default: 20, min: 1, max: 100, integer: true, help: 'passes over the training digits' },
  augment: { default: 1, min: 0, max: 1, integer: false, help: 'how far digits are moved: 1 = 2.5 px, 10°, 10% zoom; 0 = not at all' },
  onecycle: { default: 1, min: 0, max: 1, integer: true, help: '1 = one-cycle per step; 0 = the codelab\'s 0.01·0.666^epoch' },
  smoothing: { default: 0.1, min: 0, max: 0.5, integer: false, help: 'label smoothing of the cross-entropy' },
  width: { default: 1, min: 0.25, max: 4, integer: false, help: 'channels of every convolution, as a multiple of 16-32-64' },
} satisfies Record<string, lab.HyperparameterSpec>;

export const about: lab.StepInfo = {
  title: 'Beyond: augmentation, one-cycle and label smoothing',
  source: "Chris Deotte's Kaggle MNIST CNNs (conv-BN blocks, a strided 5x5 in place of pooling, dropout, moved digits)",
  codelab: 'not part of the codelab, which stops at "99.5% with a bit of luck"',
  passBar: 0.9965,
  lesson: 'TODO',
  choices: ['TODO'],
  hyperparameters: HYPERPARAMETERS,
};

export default async function main(): Promise<void> {
  // Parameters
  const hp = lab.hyperparameters(HYPERPARAMETERS);
  const BATCH_SIZE = 128;
  const STEPS_PER_EPOCH = Math.floor(60000 / BATCH_SIZE);
  const STEPS = hp.epochs * STEPS_PER_EPOCH;

  // Data: every training digit moved a little at random each time it is seen (never the test digits).
  const move = { shift: 2.5 * hp.augment, rotate: 10 * hp.augment, scale: 0.1 * hp.augment };
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE, augment: move });
  const validation = lab.validationDataset();

  // The model: three blocks of conv-BN-relu; each block ends in a strided 5x5 convolution where others pool.
  const bn = () => lab.layers.batchNormalization({ center: true, scale: false });
  const conv = (filters: number, kernelSize: number, strides = 1) => [
    tf.layers.conv2d({ filters: Math.round(filters * hp.width), kernelSize, strides, padding: strides > 1 ? 'same' : 'valid', useBias: false }),
    bn(),
    tf.layers.activation({ activation: 'relu' }),
  ];
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      ...conv(16, 3), ...conv(16, 3), ...conv(16, 5, 2), tf.layers.dropout({ rate: 0.25 }),
      ...conv(32, 3), ...conv(32, 3), ...conv(32, 5, 2), tf.layers.dropout({ rate: 0.25 }),
      ...conv(64, 4), tf.layers.flatten(), tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.005), loss: lab.losses.labelSmoothingCrossentropy(hp.smoothing), metrics: ['accuracy'] });
  lab.summary(model);

  // Learning rate: one cycle over the whole run (up for a quarter, then down to almost nothing), or the codelab's decay.
  const schedule = hp.onecycle
    ? lab.schedules.oneCycle({ maxLr: 0.005, total: STEPS, warmupFraction: 0.25 })
    : lab.schedules.exponentialEpochDecay(0.01, 0.666);
  await lab.plotLearningRate(schedule, hp.epochs, STEPS_PER_EPOCH);

  // Train and validate
  await lab.fit(model, training, {
    epochs: hp.epochs,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 16 }), lab.callbacks.learningRateScheduler(schedule, { perStep: true, verbose: true })],
  });
  await lab.showPredictions(model);
}
