// The lab session: what a running lab file's API calls reach (data, engine, storage, output), plugged in by its runner.
import type * as tf from '@tensorflow/tfjs';
import type { Batch, TrainBatchesOptions } from '../data/pipeline.js';
import { SET_SIZES, type DatasetName, type DigitSet } from '../data/types.js';
import type { TrainerChoice, TrainingSpec } from '../engine/types.js';
import type { Predictor } from '../engine/types.js';
import { LabError } from '../errors.js';
import { NO_OVERRIDES, type Overrides, type Point, type RunMetrics } from '../run/schema.js';
import { MemorySink, type RunSink } from '../run/sink.js';
import { installMathRandom, Rng } from '../util/rng.js';
import type { TextOut } from '../util/text-out.js';
import type { TrainingDataset } from './datasets.js';
import type { LrSchedule } from './schedules.js';

/** The digits a session trains and validates on. */
export interface LoadedDigits {
  name: DatasetName;
  train: DigitSet;
  /** The 10k test set (the codelab's "validation"), cut to --val-limit when given. */
  test: DigitSet;
  classNames: readonly string[];
}

/** The training stream: full batches of the shuffled, repeated set (Node prepares them in a worker thread). */
export interface BatchStream {
  readonly stepsPerEpoch: number;
  next(): Batch;
  getState(): unknown;
  close(): Promise<void>;
}

/** Where a session's digits come from: files on disk in Node, fetched and cached files in the browser. */
export interface DataSource {
  /** How many training and test digits load() will give (known before loading: the catalogue and the limits). */
  readonly counts: { train: number; test: number };
  /** The dataset's digits, loaded once. */
  load(): Promise<LoadedDigits>;
  /** The training stream over `set`, continued from `state` when resuming. */
  stream(set: DigitSet, options: TrainBatchesOptions, state?: unknown): BatchStream;
}

/** How many training and test digits a run uses: the whole sets, cut by --limit and --val-limit. */
export function digitCounts(overrides: Overrides): DataSource['counts'] {
  return { train: Math.min(overrides.limit ?? SET_SIZES.train, SET_SIZES.train), test: Math.min(overrides.valLimit ?? SET_SIZES.test, SET_SIZES.test) };
}

/** A predictor as the display cells use it: Node's answers at once, a browser's once read back from its engine. */
export interface LabPredictor extends Omit<Predictor, 'probabilities'> {
  probabilities(images: Float32Array, count: number): Float32Array | Promise<Float32Array>;
}

/** Which code trains and predicts: the Node front door (native or TF.js), or TF.js alone in the browser. */
export interface EngineProvider {
  trainer(model: tf.LayersModel, spec: TrainingSpec): Promise<TrainerChoice>;
  predictor(model: tf.LayersModel): Promise<LabPredictor>;
}

/** Where pictures go: PNG files in the run folder in Node, the page in the browser. */
export interface PictureHooks {
  /** plot_learning_rate: the planned rate before training. */
  learningRate(points: Point[], epochs: number, xTitle: string): Promise<void>;
  /** PlotTraining at each epoch end, with that epoch's validation probabilities. */
  trainingPlot(update: { validation: DigitSet; probabilities: Float32Array }): Promise<void>;
  /** The codelab's prediction cell: font digits and the test digits with the mistakes first, in red. */
  predictions(model: tf.LayersModel, validation: DigitSet, probabilities: Float32Array): Promise<void>;
}

/** What a session records of each fit, for its runner (metrics, the saved model). */
export interface FitOutcome {
  model: tf.LayersModel;
  engine: string;
  epochs: number;
  steps: number;
  seconds: number;
  batchSize: number;
  testCount: number;
  last: { val_loss: number; val_accuracy: number } | null;
}

export interface LabSession {
  /** The step's name, for the history (the ladder step or the user file's base name). */
  stepName: string;
  /** The run's seed: initial weights (through Math.random), shuffle order, dropout masks. */
  seed: number;
  /** The generator Math.random draws from during the run; fit takes dropout seeds from it and checkpoints it. */
  rng: Rng;
  /** Flags that override what the file sets (null: the file's value). */
  overrides: Overrides;
  /** Hyperparameters given as --hp-<key>. */
  hp: Record<string, number>;
  data: DataSource;
  engine: EngineProvider;
  sink: RunSink;
  pictures: PictureHooks | null;
  /** Human-readable output: progress bar, summaries, learning-rate announcements. */
  out: TextOut & { isTTY?: boolean };
  /** Draw the live progress bar (a terminal); otherwise plain per-epoch lines. */
  live: boolean;
  /** Ctrl-C, or the page's stop button: training checkpoints after its batch and stops. */
  signal: AbortSignal;
  /** Resolves when training may go on (the page's pause button); absent: never paused. */
  waitIfPaused?(): Promise<void>;
  /** Native engine threads (null: the engine's choice). */
  threads: number | null;
  /** Describe instead of train: `fit` records the plan and stops the file (summary, models). */
  describe: boolean;
  /** Filled by fit. */
  fits: FitOutcome[];
}

/** Thrown by fit in describe mode once the plan is known: the runner catches it, nothing trained. */
export class DescribeStop extends Error {
  constructor(readonly plan: TrainingPlan) {
    super('describe: stopped at fit');
  }
}

/** What a fit would train: the model as compiled and the recipe. */
export interface TrainingPlan {
  model: tf.LayersModel;
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  batchSize: number;
  optimizer: string;
  loss: string;
  /** The planned learning rate, x in epochs. */
  lr: Point[];
  /** The same plan as a function of (epoch, global step): the schedule with --lr applied, or the constant rate. */
  learningRate: LrSchedule;
  /** The training stream as the file asked for it: batch size, shuffle buffer, labels, augmentation. */
  training: TrainingDataset;
}

let current: LabSession | null = null;

/** The session the running lab file belongs to; a lab function called outside one says how to run it. */
export function labSession(): LabSession {
  if (!current) {
    throw new LabError('BAD_LAB_FILE', 'no lab session: the mnist-lab API trains inside a lab run', {
      hint: 'run the file with `mnist-lab run <file.ts>` (or train it in the browser lab)',
    });
  }
  return current;
}

/** Runs `body` with `session` current (one lab file at a time per process or worker). */
export async function withSession<T>(session: LabSession, body: () => Promise<T>): Promise<T> {
  if (current) throw new LabError('BAD_LAB_FILE', 'a lab session is already running in this process', { hint: 'run lab files one after another' });
  current = session;
  try {
    return await body();
  } finally {
    current = null;
  }
}

/** How a lab file's run ended for its runner: all it asked for, or interrupted (Ctrl-C, the page's Stop) mid-fit. */
export interface LabOutcome {
  status: 'completed' | 'interrupted';
  /** The fit it made: the model (its runner disposes it) and what was trained. */
  fit: FitOutcome;
}

/** metrics.json of a fit of `step` on `dataset`: the last validation, the counts and the speed. */
export function fitMetrics(step: string, dataset: DatasetName, fit: FitOutcome): RunMetrics {
  const accuracy = fit.last?.val_accuracy ?? 0;
  return {
    step,
    dataset,
    test_accuracy: accuracy,
    test_loss: fit.last?.val_loss ?? 0,
    errors: Math.round((1 - accuracy) * fit.testCount),
    test_count: fit.testCount,
    epochs: fit.epochs,
    steps: fit.steps,
    seconds: Number(fit.seconds.toFixed(2)),
    images_per_second: Math.round((fit.steps * fit.batchSize) / Math.max(fit.seconds, 1e-9)),
    engine: fit.engine,
    status: 'completed',
  };
}

/** Frees a model and its optimizer (model.dispose frees the optimizer only when compile made it from a name). */
export function disposeModel(model: tf.LayersModel): void {
  if (!(model as unknown as { isOptimizerOwned?: boolean }).isOptimizerOwned) model.optimizer?.dispose();
  model.dispose();
}

/**
 * Runs a lab file's cells (`main`, its default export) in `session`, as `mnist-lab run` and the browser lab do:
 * Math.random draws from the session's generator meanwhile (initial weights, dropout seeds). An interruption is an
 * outcome; a file that trains nothing is BAD_LAB_FILE naming `file`; on any error what it trained is freed.
 */
export async function runLabFile(session: LabSession, main: () => unknown, file: string): Promise<LabOutcome> {
  const restoreMathRandom = installMathRandom(session.rng);
  let status: LabOutcome['status'] = 'completed';
  try {
    await withSession(session, async () => main());
    if (session.fits.length === 0) {
      throw new LabError('BAD_LAB_FILE', `${file} trained nothing: it never called lab.fit(model, …)`, {
        hint: 'train with `await lab.fit(model, training, { epochs, validationData })` (TF.js\'s own model.fit writes no run)',
      });
    }
  } catch (error) {
    if (!(error instanceof LabError && error.code === 'INTERRUPTED' && session.fits.length > 0)) {
      session.fits.forEach((f) => disposeModel(f.model));
      throw error;
    }
    status = 'interrupted';
  } finally {
    restoreMathRandom();
  }
  return { status, fit: session.fits[0] };
}

/** Describing needs no data, engine or storage: any use of them is a bug in the file (or here). */
const nothingHere = (what: string) => (): never => {
  throw new LabError('BAD_LAB_FILE', `describing a lab file uses no ${what}, but the file asked for it before fit`, {
    hint: 'keep data loading and training inside lab.fit and the cells after it',
  });
};

/**
 * What a lab file trains: its model (built and compiled, not trained; the caller disposes it) and recipe, as fit
 * sees them. The cells run in a session that loads no data and stops at fit; nothing is written. Building layers
 * creates weights, so a TF.js backend must be active.
 */
export async function describeLabFile(main: () => unknown, options: { file: string; stepName: string; hp?: Record<string, number> }): Promise<TrainingPlan> {
  const rng = new Rng(0);
  const session: LabSession = {
    stepName: options.stepName,
    seed: 0,
    rng,
    overrides: NO_OVERRIDES,
    hp: options.hp ?? {},
    data: { counts: digitCounts(NO_OVERRIDES), load: nothingHere('data'), stream: nothingHere('data') },
    engine: { trainer: nothingHere('engine'), predictor: nothingHere('engine') },
    sink: new MemorySink(),
    pictures: null,
    out: { write: () => true },
    live: false,
    signal: new AbortController().signal,
    threads: null,
    describe: true,
    fits: [],
  };
  const restore = installMathRandom(rng);
  try {
    await withSession(session, async () => main());
  } catch (error) {
    if (error instanceof DescribeStop) return error.plan;
    throw error;
  } finally {
    restore();
  }
  throw new LabError('BAD_LAB_FILE', `${options.file} trained nothing: it never called lab.fit(model, …)`, {
    hint: 'train with `await lab.fit(model, training, { epochs, validationData })`',
  });
}
