// Step 8 of the codelab (keras_04_mnist_convolutional): three convolutional layers, a dense layer and softmax.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'Convolutional network',
  source: 'keras_04_mnist_convolutional.ipynb',
  codelab: 'pretty close to 99%, about 110 errors (recorded: val_acc 0.9892)',
  passBar: 0.985,
  lesson:
    'The image keeps its 28x28 shape: 3x3 then 6x6 filters slide over it, and strides of 2 shrink it to 14x14 ' +
    'and 7x7 while the channels grow (12, 24, 32), before one dense layer. Fewer weights look at local patterns. ' +
    'Watch accuracy get close to 99% (about 110 errors), but the test loss rise again late in training: it overfits.',
  translations: {
    he: {
      title: 'רשת קונבולוציה',
      codelab: 'קרוב מאוד ל-99%, כ-110 טעויות (נמדד: val_acc 0.9892)',
      lesson:
        'התמונה שומרת על צורת 28x28: מסננים של 3x3 ואחר כך 6x6 מחליקים עליה, וצעדים (strides) של 2 מקטינים ' +
        'אותה ל-14x14 ול-7x7 בזמן שמספר הערוצים גדל (12, 24, 32), לפני שכבה צפופה אחת. פחות משקלים, שמסתכלים ' +
        'על דפוסים מקומיים. שימו לב לדיוק שמתקרב ל-99% (כ-110 טעויות), אבל להפסד המבחן שעולה שוב בסוף האימון: ' +
        'התאמת־יתר.',
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

  // The model: the pixels as a 28x28 image; strides of 2 halve it twice.
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 12, activation: 'relu', padding: 'same' }),
      tf.layers.conv2d({ kernelSize: 6, filters: 24, activation: 'relu', padding: 'same', strides: 2 }),
      tf.layers.conv2d({ kernelSize: 6, filters: 32, activation: 'relu', padding: 'same', strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 200, activation: 'relu' }),
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

  // Visualise predictions: about 4.5 rows of mistakes.
  await lab.showPredictions(model);
}
