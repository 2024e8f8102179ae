// An experiment beyond the ladder: the codelab's conv net (step 8) with 2×2 max-pooling in place of the strides.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'Convolutional network with max-pooling',
  source: 'the codelab\'s conv-net section: "strides and max-pooling" (step 8 with pooling instead of strides)',
  codelab: 'not trained in the codelab; its text offers max-pooling as the other way to shrink the image',
  passBar: 0.985,
  lesson:
    'The same three convolutions as step 8, all with stride 1, and a 2x2 max-pooling layer after the second and the ' +
    'third: each keeps the strongest of four neighbouring values, halving the image (28, 14, 7) with no weights of its ' +
    'own. Compare its curves with step 8: similar accuracy, at about four times the convolution work.',
};

export default async function main(): Promise<void> {
  // Parameters
  const BATCH_SIZE = 128;
  const EPOCHS = 10;

  // Data
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE });
  const validation = lab.validationDataset();

  // The model: max-pooling halves the image where step 8's strides did.
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 12, activation: 'relu', padding: 'same' }),
      tf.layers.conv2d({ kernelSize: 6, filters: 24, activation: 'relu', padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ kernelSize: 6, filters: 32, activation: 'relu', padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 200, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Learning-rate schedule, as step 8.
  const lrDecay = (epoch: number) => 0.01 * Math.pow(0.6, epoch);

  // Train and validate
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 16 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
