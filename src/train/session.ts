// The lab session: what a running lab file's API calls reach (data, engine, storage, output), plugged in by its runner.
import type * as tf from '@tensorflow/tfjs';
import type { Batch, TrainBatchesOptions } from '../data/pipeline.js';
import type { DatasetName, DigitSet } from '../data/types.js';
import type { TrainerChoice, TrainingSpec } from '../engine/types.js';
import type { Predictor } from '../engine/types.js';
import { LabError } from '../errors.js';
import type { Overrides, Point } from '../run/schema.js';
import type { RunSink } from '../run/sink.js';
import type { Rng } from '../util/rng.js';
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

/** Which code trains and predicts: the Node front door (native or TF.js), or TF.js alone in the browser. */
export interface EngineProvider {
  trainer(model: tf.LayersModel, spec: TrainingSpec): Promise<TrainerChoice>;
  predictor(model: tf.LayersModel): Promise<Predictor>;
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
