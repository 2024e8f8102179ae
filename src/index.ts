// mnist-lab's public API: what a lab file imports as `mnist-lab` (browser-safe: no Node-only imports).

/**
 * The codelab's training datasets: `trainingDataset({ batchSize })` is the shuffled, repeated, batched stream of the
 * 60,000 training digits; `validationDataset()` the 10,000 test digits as one batch (the codelab's "validation").
 */
export { trainingDataset, validationDataset, TrainingDataset, ValidationDataset, type TrainingDatasetOptions } from './train/datasets.js';

/** Trains a compiled model, Keras's model.fit: `await lab.fit(model, training, { epochs, validationData, callbacks })`. */
export { fit, type FitOptions } from './train/fit.js';

/** What fit returns: Keras's History (`history.history.val_accuracy`, per epoch). */
export { History, type HistoryLogs } from './train/history.js';

/** The fit callbacks: `learningRateScheduler`, `plotTraining`, `earlyStopping`, `checkpoints`, `stopAtAccuracy`. */
export * as callbacks from './train/callbacks/index.js';

/** The notebook's display cells: `summary(model)`, `plotLearningRate(schedule, epochs)`, `showPredictions(model)`. */
export { plotLearningRate, showPredictions, summary } from './train/displays.js';

/** A step's knobs (`--hp-<key>`): `hyperparameters(about.hyperparameters)` gives their values for this run. */
export { hyperparameters } from './train/hyperparameters.js';

/** Losses beyond Layers' names: `losses.labelSmoothingCrossentropy(0.1)` is Keras's label-smoothed cross-entropy. */
export * as losses from './train/losses.js';

/** Random shifts, rotations and scalings of the training digits (`trainingDataset({ batchSize, augment })`). */
export type { AugmentOptions } from './data/augment.js';

/** Learning-rate schedules as pure functions of (epoch, global step): the codelab's, one-cycle, cosine with warm-up. */
export * as schedules from './train/schedules.js';
export type { LrSchedule } from './train/schedules.js';

/** Layers TF.js lacks or gets wrong: `layers.batchNormalization` trains with `scale: false` (TF.js 4.22's crashes). */
export * as layers from './models/layers/index.js';

/** What a lab file says about itself (`export const about: StepInfo`), and a hyperparameter's spec. */
export type { HyperparameterSpec, StepInfo } from './run/schema.js';
