// The worker plumbing's proof: one dense softmax layer trained for a few batches on 2,000 digits, live in the page.
import * as tf from '@tensorflow/tfjs';
import { loadDataset, pageCallback } from 'mnist-lab';

const DIGITS = 2000;
const BATCH_SIZE = 100;
const EPOCHS = 2;

export default async function train(): Promise<void> {
  const data = await loadDataset('mnist', { limit: DIGITS, testLimit: 500 });
  const toTensors = (images: Uint8Array, labels: Uint8Array, count: number) => ({
    xs: tf.tidy(() => tf.tensor(images, [count, 28, 28, 1], 'float32').div(255)),
    ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 10),
  });
  const train = toTensors(data.train.images, data.train.labels, data.train.count);
  const test = toTensors(data.test.images, data.test.labels, data.test.count);

  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  console.log(`training on ${tf.getBackend()}: ${model.countParams()} parameters`);
  await model.fit(train.xs, train.ys, {
    batchSize: BATCH_SIZE,
    epochs: EPOCHS,
    validationData: [test.xs, test.ys],
    callbacks: [pageCallback()],
  });
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  model.dispose();
}
