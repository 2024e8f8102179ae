// Step 3 of the codelab (keras_02_mnist_dense): relu hidden layers and the Adam optimizer.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'relu + Adam',
  source: 'keras_02_mnist_dense.ipynb',
  codelab: 'should now be 97% (recorded: val_acc 0.9770)',
  passBar: 0.97,
  lesson:
    'Same layers as step 2, but relu instead of sigmoid (it does not saturate for positive inputs) and Adam ' +
    'instead of SGD (a per-weight adaptive step). Watch the accuracy jump to about 97% within the first epochs, ' +
    'and the test loss drift up in the last epochs while the training loss keeps falling: the first sign of overfitting.',
  choices: ["optimizer 'adam' is Keras's default Adam: learning rate 0.001"],
  translations: {
    he: {
      title: 'relu ו-Adam',
      codelab: 'אמור להגיע עכשיו ל-97% (נמדד: val_acc 0.9770)',
      lesson:
        'אותן שכבות כמו בשלב 2, אבל relu במקום sigmoid (הוא לא נרווה בקלטים חיוביים) ו-Adam במקום SGD (צעד ' +
        'מסתגל לכל משקל). שימו לב לדיוק שקופץ לכ-97% כבר באפוקים הראשונים, ולהפסד המבחן שמטפס באפוקים ' +
        'האחרונים בזמן שהפסד האימון ממשיך לרדת: הסימן הראשון להתאמת־יתר (overfitting).',
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

  // The model: relu does not saturate, so gradients reach the first layer.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [28 * 28], units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 60, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  // Adam adapts the step of every weight; its default learning rate is 0.001.
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Train and validate
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 1 })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
