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
  // Data: the training digits shuffled in batches of 128, the 10k test digits to validate on.
  const training = lab.trainingDataset({ batchSize: 128 });
  const validation = lab.validationDataset();

  // The model: step 8's convolutions, with 2x2 max-pooling halving the image where step 8 used strides.
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

  // Train and validate for 10 epochs, the learning rate decaying by 0.6 each epoch.
  const lrDecay = (epoch: number) => 0.01 * Math.pow(0.6, epoch);
  await lab.fit(model, training, {
    epochs: 10,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ zoom: 16 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // The font digits and the test digits, mistakes first and in red.
  await lab.showPredictions(model);
}
