// The fit callbacks a lab file uses (Keras's tf.keras.callbacks): one per file, gathered for `lab.callbacks`.
export type { BatchLogs, Callback, EpochLogs, FitContext } from './callback.js';
export { checkpoints } from './checkpoints.js';
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { learningRateScheduler, type LearningRateSchedulerOptions } from './learning-rate-scheduler.js';
export { plotTraining, type PlotTrainingOptions } from './plot-training.js';
export { stopAtAccuracy, type StopAtAccuracyOptions } from './stop-at-accuracy.js';
