// fit(): trains a compiled Keras-style model on the codelab's datasets, with its callbacks; Keras's model.fit for a lab.
import type * as tf from '@tensorflow/tfjs';
import { toBatch } from '../data/pipeline.js';
import { learningRateOf, setLearningRate } from '../engine/learning-rate.js';
import { LabError } from '../errors.js';
import type { EpochRecord, LoopState } from '../run/schema.js';
import type { RunSink } from '../run/sink.js';
import type { Callback, FitContext } from './callbacks/callback.js';
import type { TrainingDataset, ValidationDataset } from './datasets.js';
import { History } from './history.js';
import { runLoop, type EpochPlan } from './loop.js';
import { describeLoss, describeOptimizer, lossSpecOf } from './compiled.js';
import { checkModelShape } from './model-checks.js';
import { Progress } from './progress.js';
import { lrSeries, type LrSchedule } from './schedules.js';
import { DescribeStop, labSession, type LabSession } from './session.js';

/** What `fit` takes besides the model and the training data, as Keras's `model.fit` keywords. */
export interface FitOptions {
  /** Passes over the data (EPOCHS); `--epochs` overrides it. */
  epochs: number;
  /** Steps per epoch; default the dataset's full batches per pass (60000 // batch size). `--steps` caps it. */
  stepsPerEpoch?: number;
  /** Stop after this many steps in all, cutting the last epoch short (the Estimator's max_steps). */
  maxSteps?: number;
  /** Validated on at every epoch end (the codelab validates on the 10k test set). */
  validationData: ValidationDataset;
  callbacks?: Callback[];
  /** Multiplies the loss as reported (the cloud trainer reports cross-entropy × 100); training is unchanged. */
  lossScale?: number;
}

/** The default sample rate of the history's batch records when no PlotTraining callback sets one. */
const DEFAULT_SAMPLE_RATE = 10;

function positive(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new LabError('BAD_LAB_FILE', `fit: ${name} must be a positive integer; got ${JSON.stringify(value)}`, { hint: `fix ${name} in the fit(...) call` });
  }
}

/** Epochs and steps after the run's overrides: --epochs replaces, --steps caps each epoch, maxSteps bounds the total. */
function planSteps(session: LabSession, options: FitOptions, batchSize: number, trainCount: number): EpochPlan {
  const epochs = session.overrides.epochs ?? options.epochs;
  const dataSteps = Math.floor(trainCount / batchSize);
  if (dataSteps < 1) {
    throw new LabError('BAD_ARGUMENT', `batch size ${batchSize} is larger than the ${trainCount} training digits`, { hint: 'lower --batch-size or raise --limit' });
  }
  const stepsPerEpoch = Math.min(options.stepsPerEpoch ?? dataSteps, session.overrides.steps ?? Infinity);
  const full = epochs * stepsPerEpoch;
  // A step budget (maxSteps) counts the file's own steps; a --steps cap shortens the run, not the budget.
  const totalSteps = options.maxSteps !== undefined && session.overrides.steps === null ? Math.min(options.maxSteps, full) : full;
  return { epochs: Math.min(epochs, Math.ceil(totalSteps / stepsPerEpoch)), stepsPerEpoch, totalSteps };
}

/** The learning-rate schedule the callbacks apply (the first that has one), or null for a constant rate. */
const scheduleOf = (callbacks: readonly Callback[]): LrSchedule | null => callbacks.find((cb) => cb.schedule)?.schedule ?? null;

/**
 * Trains `model` (compiled with `model.compile({optimizer, loss, metrics})`) on `training`, validating on
 * `options.validationData` at every epoch end, as Keras's model.fit does: the optimizer, loss and learning rate are
 * the model's own, callbacks run at the same points, and the returned History holds the per-epoch logs. The session
 * (`mnist-lab run`, the browser lab) decides which engine runs the steps (the native compiled step when it can,
 * TF.js otherwise, saying why once), where the records and checkpoints go, and which flags override the file.
 */
export async function fit(model: tf.LayersModel, training: TrainingDataset, options: FitOptions): Promise<History> {
  const session = labSession();
  positive('epochs', options.epochs);
  positive('stepsPerEpoch', options.stepsPerEpoch);
  positive('maxSteps', options.maxSteps);
  if (!options.validationData) {
    throw new LabError('BAD_LAB_FILE', 'fit: validationData is missing', { hint: 'pass validationData: lab.validationDataset() (the codelab validates on the 10k test set)' });
  }
  if (session.fits.length > 0) {
    throw new LabError('BAD_LAB_FILE', 'fit was called a second time; a lab run trains one model with one fit', { hint: 'train a second model in a second file' });
  }
  checkModelShape(model);
  const loss = lossSpecOf(model, training.labels);
  const callbacks = options.callbacks ?? [];
  const batchSize = session.overrides.batchSize ?? training.batchSize;
  // Describing needs no data: the dataset's size is known from the catalogue and --limit.
  const digits = session.describe ? null : await session.data.load();
  const plan = planSteps(session, options, batchSize, digits?.train.count ?? session.data.counts.train);
  const optimizer = model.optimizer;
  const fileLr = learningRateOf(optimizer);
  const schedule = scheduleOf(callbacks);
  // --lr sets the initial rate: a schedule is rescaled so that it starts there.
  const lrScale = session.overrides.lr === null ? 1 : session.overrides.lr / (schedule ? schedule(0, 0) : fileLr);
  const planned: LrSchedule = schedule ?? (() => fileLr);
  const learningRate: LrSchedule = lrScale === 1 ? planned : (e, s) => planned(e, s) * lrScale;
  const lrPlan = lrSeries(learningRate, plan.epochs, plan.stepsPerEpoch);
  if (!digits) {
    throw new DescribeStop({ model, ...plan, batchSize, optimizer: describeOptimizer(optimizer), loss: describeLoss(model), lr: lrPlan, learningRate, training });
  }

  const checkpoint = await session.sink.resumeFrom();
  if (checkpoint) restoreWeights(model, checkpoint.weights);
  const { trainer, note } = await session.engine.trainer(model, {
    optimizer,
    loss: loss.spec,
    lossName: loss.name,
    labels: training.labels,
    batchSize,
    threads: session.threads ?? undefined,
  });
  const progress = new Progress({ stream: session.out, live: session.live });
  // This fit's epoch records, for the History it returns (Keras's: the epochs trained by this call).
  const epochRecords: EpochRecord[] = [];
  const sink: RunSink = {
    append: async (record) => {
      if (record.type === 'epoch') epochRecords.push(record);
      await session.sink.append(record);
    },
    saveCheckpoint: (m, o, s) => session.sink.saveCheckpoint(m, o, s),
    resumeFrom: () => session.sink.resumeFrom(),
  };
  if (note) progress.line(note);
  const batches = session.data.stream(
    digits.train,
    { batchSize, seed: session.seed, shuffleBuffer: training.shuffleBuffer, augment: training.augment },
    checkpoint?.state.batcher ?? undefined,
  );
  try {
    const state: LoopState = checkpoint?.state ?? {
      epoch: 0,
      stepInEpoch: 0,
      globalStep: 0,
      rng: session.rng.getState(),
      batcher: null,
      sums: { loss: 0, accuracy: 0, steps: 0 },
      seconds: 0,
    };
    if (checkpoint) {
      await trainer.setOptimizerState(checkpoint.optimizer);
      session.rng.setState(checkpoint.state.rng);
    }
    const setRate = (lr: number) => setLearningRate(optimizer, lr);
    setRate(checkpoint?.state.lr ?? (session.overrides.lr ?? fileLr));
    let checkpointWanted = false;
    const ctx = {
      model,
      epochs: plan.epochs,
      stepsPerEpoch: plan.stepsPerEpoch,
      totalSteps: plan.totalSteps,
      globalStep: state.globalStep,
      resumedMidEpoch: false,
      out: session.out,
      get learningRate() {
        return learningRateOf(optimizer);
      },
      set learningRate(lr: number) {
        setRate(lr * lrScale);
      },
      stopTraining: false,
      lastValidation: null as FitContext['lastValidation'],
      requestCheckpoint() {
        checkpointWanted = true;
      },
    };
    const plot = callbacks.find((cb) => cb.zoom !== undefined || cb.sampleRate !== undefined);
    progress.line(`Steps per epoch: ${plan.stepsPerEpoch}`);
    await sink.append({
      type: 'start',
      time: new Date().toISOString(),
      step: session.stepName,
      epochs: plan.epochs,
      stepsPerEpoch: plan.stepsPerEpoch,
      batchSize,
      engine: trainer.engine,
      initialEpoch: state.epoch,
      optimizer: describeOptimizer(optimizer),
      loss: loss.name,
      lr: lrPlan,
      zoom: plot?.zoom ?? 1,
      xTitle: options.stepsPerEpoch === undefined ? 'epochs' : `evaluations (one every ${plan.stepsPerEpoch} steps)`,
    });
    const result = await runLoop({
      plan,
      model,
      trainer,
      batches,
      validation: toBatch(digits.test, 0, digits.test.count),
      validationSet: digits.test,
      rng: session.rng,
      state,
      callbacks,
      ctx,
      progress,
      sink,
      sampleRate: plot?.sampleRate ?? DEFAULT_SAMPLE_RATE,
      lossScale: options.lossScale ?? 1,
      signal: session.signal,
      waitIfPaused: session.waitIfPaused,
      checkpointWanted: () => {
        const wanted = checkpointWanted;
        checkpointWanted = false;
        return wanted;
      },
    });
    trainer.syncToModel();
    session.fits.push({
      model,
      engine: trainer.engine,
      epochs: plan.epochs,
      steps: result.state.globalStep,
      seconds: result.state.seconds,
      batchSize,
      testCount: digits.test.count,
      last: result.lastEpoch,
    });
    if (result.status === 'interrupted') {
      throw new LabError('INTERRUPTED', 'training interrupted: a checkpoint was written', { exitCode: 130 });
    }
    return History.fromEpochs(epochRecords);
  } finally {
    trainer.dispose();
    await batches.close();
    checkpoint?.weights.forEach((w) => w.dispose());
  }
}

/** Copies a checkpoint's weights into the model the file just built (the same architecture). */
function restoreWeights(model: tf.LayersModel, weights: tf.Tensor[]): void {
  const current = model.getWeights();
  const mismatch = current.findIndex((w, i) => weights[i] === undefined || w.shape.join(',') !== weights[i].shape.join(','));
  if (mismatch >= 0 || current.length !== weights.length) {
    throw new LabError('BAD_LAB_FILE', `the checkpoint does not fit the model this file builds: weight ${mismatch} differs (${current.length} weights, checkpoint ${weights.length})`, {
      hint: 'resume with the file the run was started with, unchanged',
    });
  }
  model.setWeights(weights);
}
