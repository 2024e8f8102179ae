// Step 6 of the codelab (text only): one more relu layer, the same decayed Adam recipe.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'Deeper dense network',
  source: 'codelab text: "go deeper"',
  codelab: 'not really better: still stuck at 98%, validation loss rising (our bar: 0.975)',
  passBar: 0.975,
  lesson:
    'A third hidden layer (200-100-60) adds capacity, but accuracy stays near 98%. Watch the two loss curves ' +
    'part: training loss keeps falling while test loss climbs after a few epochs. The network is memorising ' +
    'the training digits: overfitting.',
  choices: [
    'layer sizes 200-100-60: the codelab gives none; these are keras_03 without its dropout, so step 7 changes only dropout',
    'pass bar 0.975 is ours, as the codelab says accuracy does not move',
  ],
  translations: {
    he: {
      title: 'רשת צפופה עמוקה יותר',
      codelab: 'לא באמת טוב יותר: עדיין תקוע ב-98%, הפסד התיקוף עולה (הרף שלנו: 0.975)',
      lesson:
        'שכבה נסתרת שלישית (200-100-60) מוסיפה קיבולת, אבל הדיוק נשאר סביב 98%. שימו לב לשתי עקומות ההפסד ' +
        'שנפרדות: הפסד האימון ממשיך לרדת, בעוד הפסד המבחן מטפס אחרי כמה אפוקים. הרשת משננת את ספרות האימון: ' +
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

  // The model: a third hidden layer.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [28 * 28], units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 100, activation: 'relu' }),
      tf.layers.dense({ units: 60, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Learning-rate schedule
  const lrDecay = (epoch: number) => 0.01 * Math.pow(0.6, epoch);
  await lab.plotLearningRate(lrDecay, EPOCHS);

  // Train and validate: watch the test loss climb while the training loss falls.
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 10 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
