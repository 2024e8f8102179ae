// Step 1 of the codelab (keras_01_mnist): one dense softmax layer trained with plain SGD.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: '1-layer softmax, SGD',
  source: 'keras_01_mnist.ipynb',
  codelab: 'about 90%: it misses about 1,000 of the 10,000 test digits',
  passBar: 0.89,
  lesson:
    'Each of the 10 outputs is a weighted sum of the 784 pixels, turned into probabilities by softmax; that is ' +
    'the whole model. Watch the loss fall fast in the first epoch and then flatten: accuracy levels off near 90% ' +
    'because one layer can only draw straight boundaries between digits.',
  choices: [
    "optimizer 'sgd' is Keras's default SGD: learning rate 0.01, no momentum",
    'pass bar 0.89 ("about 90%"): the exact recipe averages 0.899 over ten seeds, here and in PyTorch (bench/softmax-recipe.ts)',
  ],
  translations: {
    he: {
      title: 'softmax בשכבה אחת, SGD',
      codelab: 'כ-90%: היא טועה בכ-1,000 מתוך 10,000 ספרות המבחן',
      lesson:
        'כל אחת מ-10 היציאות היא סכום משוקלל של 784 הפיקסלים, ש-softmax הופך להסתברויות; זה כל המודל. שימו לב ' +
        'להפסד שיורד מהר באפוק הראשון ואז מתיישר: הדיוק נעצר סביב 90%, כי שכבה אחת יכולה לשרטט רק גבולות ' +
        'ישרים בין הספרות.',
    },
  },
};

export default async function main(): Promise<void> {
  // Parameters
  const BATCH_SIZE = 128;
  const EPOCHS = 10;

  // Data: the training digits shuffled and batched; the 10k test digits as one validation batch.
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE });
  const validation = lab.validationDataset();

  // The model: 784 pixels in, 10 probabilities out.
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [28 * 28], units: 10, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Train and validate: one pass over the 60,000 digits is an epoch of 60000 // 128 = 468 steps.
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 1 })],
  });

  // Visualise predictions: about one digit in ten is still wrong.
  await lab.showPredictions(model);
}
