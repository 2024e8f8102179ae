// An experiment beyond the ladder: step 10's batch-normalised convolutions ending in global average pooling, no dense layer.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

export const about: lab.StepInfo = {
  title: 'Batch-normalised CNN with a global-average-pooling head',
  source: 'the codelab\'s conv-net section: the last layer "uses GlobalAveragePooling2D" instead of flattening',
  codelab: 'not trained in the codelab; its text shows this as the other way to end a conv net',
  passBar: 0.985,
  lesson:
    'Step 10 without its dense layer: a 3x3 convolution gives 10 channels, one per digit, and global average pooling ' +
    'turns each 7x7 channel into one number before softmax. About 50,000 weights instead of 354,000: watch it still ' +
    'pass 98.5%, with little overfitting, because there is no big dense layer left to memorise the digits.',
};

export default async function main(): Promise<void> {
  // Parameters
  const BATCH_SIZE = 64;
  const EPOCHS = 10;

  // Data
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE });
  const validation = lab.validationDataset();

  // The model: step 10's convolutions, then one channel per class averaged over the image.
  const bn = () => lab.layers.batchNormalization({ center: true, scale: false });
  const relu = () => tf.layers.activation({ activation: 'relu' });
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ kernelSize: 3, filters: 12, useBias: false, padding: 'same' }), bn(), relu(),
      tf.layers.conv2d({ kernelSize: 6, filters: 24, useBias: false, padding: 'same', strides: 2 }), bn(), relu(),
      tf.layers.conv2d({ kernelSize: 6, filters: 32, useBias: false, padding: 'same', strides: 2 }), bn(), relu(),
      tf.layers.conv2d({ kernelSize: 3, filters: 10, padding: 'same' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.activation({ activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.summary(model);

  // Learning-rate schedule, as step 10.
  const lrDecay = (epoch: number) => 0.01 * Math.pow(0.666, epoch);

  // Train and validate
  await lab.fit(model, training, {
    epochs: EPOCHS,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 16 }), lab.callbacks.learningRateScheduler(lrDecay, { verbose: true })],
  });

  // Visualise predictions
  await lab.showPredictions(model);
}
