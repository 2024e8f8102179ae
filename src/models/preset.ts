// What a step of the codelab's model ladder is: a pure model builder plus its training recipe and lesson.
import type * as tf from '@tensorflow/tfjs';

export type OptimizerSpec = { kind: 'sgd'; lr: number } | { kind: 'adam'; lr: number };

/**
 * Learning rate as a pure function of the 0-based epoch (Keras LearningRateScheduler semantics) and the
 * 0-based global step (the mlengine trainer decays per step). The training loop calls it before each step.
 */
export type LrSchedule = (epoch: number, globalStep: number) => number;

/** One tunable knob of a preset (the mlengine trainer's --hp-* flags): default, inclusive range, help. */
export interface HyperparameterSpec {
  default: number;
  min: number;
  max: number;
  integer: boolean;
  help: string;
}

export interface Preset {
  /** Registry key, e.g. "10-conv-bn". */
  name: string;
  /** One-line title, e.g. "Batch-normalised CNN". */
  title: string;
  /** Builds a fresh, uncompiled model; nothing is built at import time. */
  build(): tf.Sequential;
  optimizer: OptimizerSpec;
  /** Null when the learning rate is constant. */
  schedule: LrSchedule | null;
  /** Human form of the schedule, e.g. "0.01 * 0.666^epoch". */
  scheduleText: string | null;
  batchSize: number;
  epochs: number;
  /** Step-based recipes (mlengine): stop after this many steps, evaluating every `evalEvery` steps. */
  iterations?: number;
  evalEvery?: number;
  /** Loss multiplier (the mlengine trainer reports cross-entropy × 100); default 1. */
  lossScale?: number;
  /** Parameter counts as the codelab's model.summary() reports them. */
  params: { total: number; trainable: number; nonTrainable: number };
  /** Pass bar on the 10k test set after the full recipe, and the codelab's own words. */
  expected: { accuracy: number; claim: string };
  /** The codelab's PlotTraining zoom for the curves. */
  zoom: number;
  /** Values the codelab leaves open and what we chose, with the reason. */
  choices: string[];
  /** What this step changes from the previous one and what to watch for in its curves. */
  explain: string;
  /** The knobs this preset accepts (`--hp-<key>`); absent for the fixed codelab steps. */
  hyperparameters?: Record<string, HyperparameterSpec>;
  /** The values this instance was built with (defaults filled in); absent when there are no hyperparameters. */
  hp?: Record<string, number>;
}
