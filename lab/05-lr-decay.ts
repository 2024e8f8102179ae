// Step 5 of the codelab (the schedule of keras_03): fast Adam whose learning rate decays by 0.6 each epoch.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'relu + Adam with learning-rate decay',
  source: 'keras_03_mnist_dense_lrdecay_dropout.ipynb (its schedule)',
  codelab: 'above 98% consistently',
  passBar: 0.98,
  lesson:
    'Start with the fast rate of step 4, then multiply it by 0.6 every epoch (0.01 down to 0.0001 at epoch 9). ' +
    'Watch most of the noise leave the curves after the first epochs and the test accuracy settle around 98%.',
  choices: ['zoom 10 as keras_03, the notebook that introduces this schedule'],
  translations: {
    he: {
      title: 'relu ו-Adam עם דעיכת קצב הלמידה',
      codelab: 'מעל 98% באופן עקבי',
      lesson:
        'מתחילים בקצב המהיר של שלב 4, ומכפילים אותו ב-0.6 בכל אפוק (מ-0.01 עד 0.0001 באפוק 9). שימו לב לרוב ' +
        'הרעש שנעלם מהעקומות אחרי האפוקים הראשונים, ולדיוק המבחן שמתייצב סביב 98%.',
    },
  },
};

export default async function main(): Promise<void> {
  // Parameters
  const BATCH_SIZE = 128;
  const EPOCHS = 10;

  // Data
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE });
  const validation = lab.validationDataset();

  // The model: as in step 4.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [28 * 28], units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 60, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Learning-rate schedule: big steps first, then smaller and smaller ones.
  const lrDecay = (epoch: number) => 0.01 * Math.pow(0.6, epoch);
  await lab.plotLearningRate(lrDecay, EPOCHS);

  // Train and validate
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 10 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
