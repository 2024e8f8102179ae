// Step 4 of the codelab (text only): the same relu network with Adam's learning rate raised tenfold.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'relu + Adam, faster learning rate',
  source: 'codelab text: "faster?"',
  codelab: 'no number: training curves "very noisy", validation jumping (our bar: 0.96)',
  passBar: 0.96,
  lesson:
    'Only the learning rate changes, from 0.001 to 0.01. Big steps make early progress faster but leave the ' +
    'model bouncing around the minimum: watch the training curves turn noisy and the test accuracy jump up and ' +
    'down from epoch to epoch instead of settling.',
  choices: [
    'learning rate 0.01 (10x the default): the codelab does not give the value; the later notebooks use Adam(lr=0.01)',
    'pass bar 0.96 is ours: the codelab gives no number for this step',
  ],
  translations: {
    he: {
      title: 'relu ו-Adam, קצב למידה מהיר יותר',
      codelab: 'אין מספר: עקומות האימון "רועשות מאוד", והתיקוף קופץ (הרף שלנו: 0.96)',
      lesson:
        'רק קצב הלמידה משתנה, מ-0.001 ל-0.01. צעדים גדולים מקדמים מהר יותר בהתחלה, אבל משאירים את המודל מקפץ ' +
        'סביב המינימום: שימו לב לעקומות האימון שנעשות רועשות, ולדיוק המבחן שקופץ למעלה ולמטה מאפוק לאפוק ' +
        'במקום להתייצב.',
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

  // The model: as in step 3.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [28 * 28], units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 60, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  // Ten times the default learning rate.
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Train and validate: watch the noise.
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 1 })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
