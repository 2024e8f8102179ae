// Step 2 of the codelab (text only): two hidden sigmoid layers, still trained with plain SGD.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: '2 hidden sigmoid layers, SGD',
  source: 'codelab text: "add layers"',
  codelab: 'no number: "10x more parameters, but not 10x better", and the loss went up a lot (our bar: 0.60)',
  passBar: 0.6,
  lesson:
    'Two hidden layers of sigmoid neurons give 20 times more weights, yet training gets slower, not better: ' +
    'sigmoid saturates, so gradients fade on their way back through the layers. Watch the loss stall far above ' +
    "step 1's during the first epochs: this is the model that motivated relu and better optimizers.",
  choices: [
    "optimizer: the codelab does not restate compile() here; we keep step 1's 'sgd' (lr 0.01), since Adam only " +
      'arrives in step 3 and the lesson is that sigmoid layers train badly with plain gradient descent',
    'pass bar 0.60 is ours: the codelab gives no number for this step, only that it is not better than step 1',
  ],
  translations: {
    he: {
      title: 'שתי שכבות נסתרות עם sigmoid, SGD',
      codelab: 'אין מספר: "פי 10 פרמטרים, אבל לא פי 10 טוב יותר", וההפסד עלה מאוד (הרף שלנו: 0.60)',
      lesson:
        'שתי שכבות נסתרות של נוירוני sigmoid נותנות פי 20 משקלים, ובכל זאת האימון נעשה איטי יותר, לא טוב ' +
        'יותר: sigmoid נרווה, ולכן הגרדיאנטים דועכים בדרכם חזרה דרך השכבות. שימו לב להפסד שנתקע הרבה מעל זה ' +
        'של שלב 1 באפוקים הראשונים: זה המודל שהוביל ל-relu ולאופטימייזרים טובים יותר.',
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

  // The model: two hidden layers of sigmoid neurons before the softmax.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [28 * 28], units: 200, activation: 'sigmoid' }),
      tf.layers.dense({ units: 60, activation: 'sigmoid' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Train and validate: watch the loss stay high for epochs.
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 1 })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
