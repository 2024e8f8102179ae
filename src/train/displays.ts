// The notebook's display cells: model.summary(), plot_learning_rate, and the prediction grids after training.
import type * as tf from '@tensorflow/tfjs';
import { scalePixels } from '../data/scale.js';
import { formatSummary, summarize } from '../models/summary.js';
import { formatLr } from './progress.js';
import { lrSeries, type LrSchedule } from './schedules.js';
import { labSession } from './session.js';

/** Prints Keras's model.summary() table: each layer's output shape and parameter count, then the totals. */
export function summary(model: tf.LayersModel): void {
  const session = labSession();
  if (session.describe) return;
  session.out.write(`${formatSummary(summarize(model))}\n`);
}

/**
 * The codelab's plot_learning_rate(lr_func, epochs): the schedule's rate at each epoch start, printed and drawn
 * (learning-rate.png in a run folder, a chart in the browser). `--epochs` and `--lr` apply as they do to fit. A
 * schedule of the global step (one-cycle) needs `stepsPerEpoch` to be drawn as it moves within each epoch.
 */
export async function plotLearningRate(schedule: LrSchedule, epochs: number, stepsPerEpoch = 0): Promise<void> {
  const session = labSession();
  if (session.describe) return;
  const shown = session.overrides.epochs ?? epochs;
  const scale = session.overrides.lr === null ? 1 : session.overrides.lr / schedule(0, 0);
  const rate: LrSchedule = (e, s) => schedule(e, s) * scale;
  const rates = Array.from({ length: shown }, (_, e) => formatLr(rate(e, e * stepsPerEpoch)));
  session.out.write(`Learning rate per epoch: ${rates.join(', ')}\n`);
  await session.pictures?.learningRate(lrSeries(rate, shown, stepsPerEpoch), shown, 'epochs');
}

/**
 * The codelab's "Visualize predictions" cell: predicts the validation digits with the trained model and shows the
 * digits from fonts, then the test digits with the mistakes first, in red (PNG files in a run folder, the page in
 * the browser). Prints how many of the test digits it got wrong.
 */
export async function showPredictions(model: tf.LayersModel): Promise<void> {
  const session = labSession();
  if (session.describe) return;
  const digits = await session.data.load();
  const predictor = await session.engine.predictor(model);
  try {
    const probabilities = await predictor.probabilities(scalePixels(digits.test.images), digits.test.count);
    let errors = 0;
    for (let i = 0; i < digits.test.count; i++) {
      const row = probabilities.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) !== digits.test.labels[i]) errors++;
    }
    session.out.write(`Validation digits: ${errors} of ${digits.test.count} predicted wrong\n`);
    await session.pictures?.predictions(model, digits.test, probabilities);
  } finally {
    predictor.dispose();
  }
}
