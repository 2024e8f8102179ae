// Step 9 of the codelab (text only): the convolutional network with dropout on its dense layer.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'Convolutional network with dropout',
  source: 'codelab text: "dropout, take 2"',
  codelab: 'final accuracy should be well above 99%',
  passBar: 0.99,
  lesson:
    'Dropout returns, now only on the big dense layer that holds most of the weights (313,800 of 354,002). ' +
    'Watch the test loss stay flat instead of rising late in training, and the accuracy pass 99%.',
  choices: [
    'Dropout(0.25) after Dense(200): the codelab gives no rate or position. Step 10 speaks of "the dropout rate on ' +
      'the dense layer", so it sits there; 0.25 is the rate of keras_03, and step 10 then changes it to 0.3',
  ],
  translations: {
    he: {
      title: 'רשת קונבולוציה עם dropout',
      codelab: 'הדיוק הסופי אמור להיות הרבה מעל 99%',
      lesson:
        'ה-dropout חוזר, הפעם רק על השכבה הצפופה הגדולה, שמחזיקה את רוב המשקלים (313,800 מתוך 354,002). שימו ' +
        'לב להפסד המבחן שנשאר שטוח במקום לעלות בסוף האימון, ולדיוק שעובר את 99%.',
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

  // The model: step 8's, with dropout on the dense layer that holds most of the weights.
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 12, activation: 'relu', padding: 'same' }),
      tf.layers.conv2d({ kernelSize: 6, filters: 24, activation: 'relu', padding: 'same', strides: 2 }),
      tf.layers.conv2d({ kernelSize: 6, filters: 32, activation: 'relu', padding: 'same', strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 200, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Learning-rate schedule
  const lrDecay = (epoch: number) => 0.01 * Math.pow(0.6, epoch);
  await lab.plotLearningRate(lrDecay, EPOCHS);

  // Train and validate
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 16 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
