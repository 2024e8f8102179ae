// Step 7 of the codelab (keras_03_mnist_dense_lrdecay_dropout): the deeper network with dropout after each hidden layer.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'Deeper dense network with dropout',
  source: 'keras_03_mnist_dense_lrdecay_dropout.ipynb',
  codelab: 'validation accuracy "dropped a bit" (recorded: val_accuracy 0.9775)',
  passBar: 0.975,
  lesson:
    'Dropout switches off a random quarter of the hidden neurons at every training step, so no neuron can rely ' +
    'on another. Watch the test loss stop climbing (but sit higher overall), the noise come back, and the accuracy ' +
    'not improve: with flattened pixels the network has thrown away the image shape, and that is the real limit.',
  translations: {
    he: {
      title: 'רשת צפופה עמוקה עם dropout',
      codelab: 'דיוק התיקוף "ירד קצת" (נמדד: val_accuracy 0.9775)',
      lesson:
        'Dropout מכבה רבע אקראי מהנוירונים הנסתרים בכל צעד אימון, כך שאף נוירון לא יכול לסמוך על אחר. שימו לב ' +
        'להפסד המבחן שמפסיק לטפס (אבל יושב גבוה יותר בסך הכול), לרעש שחוזר, ולדיוק שלא משתפר: כשהפיקסלים ' +
        'משוטחים, הרשת איבדה את צורת התמונה, וזו המגבלה האמיתית.',
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

  // The model: dropout after each hidden layer (only while training).
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [28 * 28], units: 200, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 100, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 60, activation: 'relu' }),
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
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 10 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
