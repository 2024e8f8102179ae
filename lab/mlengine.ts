// The codelab's cloud trainer (mlengine/trainer/task.py): a batch-normalised CNN whose sizes and rates are --hp-* flags.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

/** task.py's argparse defaults; the ranges are what the model can be built with, not a tuning domain. */
const HYPERPARAMETERS = {
  lr0: { default: 0.02, min: 1e-6, max: 1, integer: false, help: 'initial (max) learning rate' },
  lr1: { default: 0.0001, min: 0, max: 0.1, integer: false, help: 'target (min) learning rate' },
  lr2: { default: 600, min: 1, max: 1e6, integer: false, help: 'decay speed: the rate decays by exp(-1) every lr2 steps' },
  dropout: { default: 0.3, min: 0, max: 0.95, integer: false, help: 'dropout rate on the dense layer (0 disables it)' },
  conv1: { default: 6, min: 1, max: 256, integer: true, help: 'depth of the 1st conv layer (6x6, stride 1)' },
  conv2: { default: 12, min: 1, max: 256, integer: true, help: 'depth of the 2nd conv layer (5x5, stride 2)' },
  conv3: { default: 24, min: 1, max: 256, integer: true, help: 'depth of the 3rd conv layer (4x4, stride 2)' },
  bnexp: { default: 0.993, min: 0, max: 0.9999, integer: false, help: 'batch-norm moving-average decay (momentum)' },
  iterations: { default: 3000, min: 1, max: 1e6, integer: true, help: 'training steps' },
} satisfies Record<string, lab.HyperparameterSpec>;

export const about: lab.StepInfo = {
  title: 'Cloud trainer CNN (mlengine task.py)',
  source: 'mlengine/trainer/task.py',
  codelab: 'batch norm, lr 0.02-0.0001-600, trains in 3000 iterations (job 159: 0.9949 with conv 16-32-64)',
  passBar: 0.99,
  lesson:
    'The cloud version of the final model, driven by steps rather than epochs: 6x6, 5x5 and 4x4 convolutions ' +
    '(depths conv1-conv2-conv3), batch norm and relu after each, a dense 200 layer, dropout, softmax. The learning ' +
    'rate decays every step from lr0 + lr1 towards lr1. Watch the accuracy pass 99% within 2,000-3,000 steps; ' +
    'the loss is reported x100, as task.py does.',
  choices: [
    'evaluate on the 10k test set every 100 steps (task.py evaluates at most once a minute, which is time-based)',
    'conv and dense layers keep their biases before batch norm, as task.py does (README_BATCHNORM advises removing them)',
  ],
  hyperparameters: HYPERPARAMETERS,
  translations: {
    he: {
      title: 'רשת הקונבולוציה של המאמן בענן (mlengine task.py)',
      codelab:
        'batch norm, קצב למידה 0.02-0.0001-600, מתאמן ב-3000 איטרציות (משימה 159: 0.9949 עם קונבולוציות ' +
        '16-32-64)',
      lesson:
        'גרסת הענן של המודל הסופי, שמונעת בצעדים ולא באפוקים: קונבולוציות של 6x6, 5x5 ו-4x4 (בעומקים ' +
        'conv1-conv2-conv3), batch norm ו-relu אחרי כל אחת, שכבה צפופה של 200, dropout ו-softmax. קצב הלמידה ' +
        'דועך בכל צעד מ-lr0 + lr1 לעבר lr1. שימו לב לדיוק שעובר את 99% בתוך 2,000-3,000 צעדים; ההפסד מדווח ' +
        'כפול 100, כמו ש-task.py עושה.',
    },
  },
};

export default async function main(): Promise<void> {
  // Parameters: the flags, then task.py's fixed batch of 100.
  const hp = lab.hyperparameters(HYPERPARAMETERS);
  const BATCH_SIZE = 100;

  // Data
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE });
  const validation = lab.validationDataset();

  // The model: task.py initialises the convs and the dense-200 with truncated_normal(stddev=0.1).
  const init = () => tf.initializers.truncatedNormal({ stddev: 0.1 });
  const bn = () => lab.layers.batchNormalization({ momentum: hp.bnexp, epsilon: 1e-5, center: true, scale: false });
  const relu = () => tf.layers.activation({ activation: 'relu' });
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ kernelSize: 6, filters: hp.conv1, strides: 1, padding: 'same', kernelInitializer: init() }), bn(), relu(),
      tf.layers.conv2d({ kernelSize: 5, filters: hp.conv2, strides: 2, padding: 'same', kernelInitializer: init() }), bn(), relu(),
      tf.layers.conv2d({ kernelSize: 4, filters: hp.conv3, strides: 2, padding: 'same', kernelInitializer: init() }), bn(), relu(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 200, kernelInitializer: init() }), bn(), relu(),
      tf.layers.dropout({ rate: hp.dropout }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(hp.lr1 + hp.lr0), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // The learning rate decays every step: lr1 + lr0 · e^(−step/lr2).
  const lrDecay = (_epoch: number, step: number) => hp.lr1 + hp.lr0 * Math.exp(-step / hp.lr2);

  // Train, evaluating on the test set every 100 steps (each counted as an epoch), for `iterations` steps.
  await lab.fit(model, training, {
    epochs: Math.ceil(hp.iterations / 100),
    stepsPerEpoch: 100,
    maxSteps: hp.iterations,
    validationData: validation,
    lossScale: 100,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 16 }), lab.callbacks.learningRateScheduler(lrDecay, { perStep: true, verbose: true })],
  });

  // Predict: the codelab's digits.json should come back 8, 7, 7, 5, 5 (`mnist-lab predict`).
  await lab.showPredictions(model);
}
