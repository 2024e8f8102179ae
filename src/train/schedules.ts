// Learning-rate schedules as pure functions of (epoch, global step): the codelab's, one-cycle and cosine with
// warm-up, plus the per-epoch table and the plotted plan.
import { badArgument } from '../errors.js';
import type { Point } from '../run/schema.js';

/**
 * Learning rate as a pure function of the 0-based epoch (Keras LearningRateScheduler semantics) and the 0-based
 * global step (the mlengine trainer decays per step).
 */
export type LrSchedule = (epoch: number, globalStep: number) => number;

/** Keras LearningRateScheduler style: lr0 * base^epoch, epochs counted from 0 (keras_03..05: 0.01 * 0.6^epoch). */
export function exponentialEpochDecay(lr0: number, base: number): LrSchedule {
  return (epoch) => lr0 * base ** epoch;
}

/**
 * The mlengine trainer's per-step decay: lr1 + lr0 * e^(-step / lr2), continuous (not staircase), as
 * `lr1 + tf.train.exponential_decay(lr0, global_step, lr2, 1/e)` in task.py.
 */
export function stepExpDecay(lr0: number, lr1: number, lr2: number): LrSchedule {
  return (_epoch, globalStep) => lr1 + lr0 * Math.exp(-globalStep / lr2);
}

/** What drives a schedule: the global step (the rate changes every step) or the epoch (it changes once per epoch). */
export type ScheduleUnit = 'step' | 'epoch';

/** The schedule's clock: the global step or the epoch, both counted from 0. */
const clock = (unit: ScheduleUnit) => (epoch: number, globalStep: number): number => (unit === 'epoch' ? epoch : globalStep);

function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0 && Number.isFinite(value))) throw badArgument(name, 'a positive number', value);
}

function checkUnit(name: string, value: string): void {
  if (value !== 'step' && value !== 'epoch') throw badArgument(name, "'step' or 'epoch'", value);
}

/** Moves from `start` (at fraction 0) to `end` (at fraction 1) along a half cosine or a straight line. */
function anneal(shape: 'cos' | 'linear', start: number, end: number, fraction: number): number {
  return shape === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1) : start + (end - start) * fraction;
}

/** `oneCycle`'s shape: the peak rate, the warm-up share, how far below the peak it starts and ends, and the curve. */
export interface OneCycleOptions {
  /** The peak rate, reached at the end of the warm-up. */
  maxLr: number;
  /** Length of the cycle in steps or epochs (see `unit`); from `total - 1` on, the rate stays at its final value. */
  total: number;
  /** 'step' (default) as PyTorch's OneCycleLR, stepped every batch; 'epoch' to change the rate once per epoch. */
  unit?: ScheduleUnit;
  /** Fraction of the cycle spent warming up (PyTorch's pct_start; default 0.3). */
  warmupFraction?: number;
  /** The rate starts at maxLr / divFactor (default 25). */
  divFactor?: number;
  /** …and ends at maxLr / divFactor / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Shape of both phases: 'cos' (default) or 'linear'. */
  anneal?: 'cos' | 'linear';
}

/**
 * Smith's one-cycle policy exactly as PyTorch's `OneCycleLR` (two phases, no momentum cycling): from
 * maxLr/divFactor up to maxLr over the steps 0…warmupFraction·total - 1, then down to
 * maxLr/divFactor/finalDivFactor at step total - 1. Two differences, where PyTorch raises: past the end the rate
 * stays at its final value, and a warm-up shorter than a step starts at maxLr.
 */
export function oneCycle(options: OneCycleOptions): LrSchedule {
  const { maxLr, total, unit = 'step', warmupFraction = 0.3, divFactor = 25, finalDivFactor = 1e4, anneal: shape = 'cos' } = options;
  checkPositive('oneCycle maxLr', maxLr);
  if (!Number.isInteger(total) || total < 2) throw badArgument('oneCycle total', 'an integer of at least 2 (steps or epochs)', total);
  if (!(warmupFraction > 0 && warmupFraction < 1)) throw badArgument('oneCycle warmupFraction', 'a fraction strictly between 0 and 1', warmupFraction);
  checkPositive('oneCycle divFactor', divFactor);
  checkPositive('oneCycle finalDivFactor', finalDivFactor);
  checkUnit('oneCycle unit', unit);
  if (shape !== 'cos' && shape !== 'linear') throw badArgument('oneCycle anneal', "'cos' or 'linear'", shape);
  const initialLr = maxLr / divFactor;
  const finalLr = initialLr / finalDivFactor;
  const peakAt = warmupFraction * total - 1;
  const endAt = total - 1;
  const at = clock(unit);
  return (epoch, globalStep) => {
    const t = Math.min(at(epoch, globalStep), endAt);
    if (t <= peakAt) return anneal(shape, initialLr, maxLr, peakAt > 0 ? t / peakAt : 1);
    const from = Math.max(peakAt, 0);
    return anneal(shape, maxLr, finalLr, (t - from) / (endAt - from));
  };
}

/** `warmupCosine`'s shape: the peak rate, the warm-up length and where the cosine decay ends. */
export interface WarmupCosineOptions {
  /** The rate at the end of the warm-up, where the cosine decay starts (Keras's warmup_target). */
  peakLr: number;
  /** Steps or epochs of the cosine decay after the warm-up; after them the rate stays at alpha · peakLr. */
  decay: number;
  /** Steps or epochs of the linear warm-up (default 0: start at peakLr). */
  warmup?: number;
  /** The rate at 0, where the warm-up starts (Keras's initial_learning_rate; default 0). */
  initialLr?: number;
  /** The final rate as a fraction of peakLr (Keras's alpha; default 0). */
  alpha?: number;
  /** 'step' (default): the rate changes every step; 'epoch': once per epoch. */
  unit?: ScheduleUnit;
}

/**
 * Cosine decay with linear warm-up as Keras 3's `CosineDecay(initialLr, decay, alpha, warmup_target=peakLr,
 * warmup_steps=warmup)`: a straight line from initialLr to peakLr over the warm-up, then
 * peakLr · ((1 - alpha) · ½(1 + cos(π · t / decay)) + alpha), held at its end value afterwards.
 */
export function warmupCosine(options: WarmupCosineOptions): LrSchedule {
  const { peakLr, decay, warmup = 0, initialLr = 0, alpha = 0, unit = 'step' } = options;
  checkPositive('warmupCosine peakLr', peakLr);
  checkPositive('warmupCosine decay', decay);
  if (!(warmup >= 0 && Number.isFinite(warmup))) throw badArgument('warmupCosine warmup', 'a number of steps or epochs ≥ 0', warmup);
  if (!(initialLr >= 0 && Number.isFinite(initialLr))) throw badArgument('warmupCosine initialLr', 'a number ≥ 0', initialLr);
  if (!(alpha >= 0 && alpha <= 1)) throw badArgument('warmupCosine alpha', 'a fraction in 0-1', alpha);
  checkUnit('warmupCosine unit', unit);
  const at = clock(unit);
  return (epoch, globalStep) => {
    const t = Math.min(at(epoch, globalStep), warmup + decay);
    if (t < warmup) return (peakLr - initialLr) * (t / warmup) + initialLr;
    const cosine = 0.5 * (1 + Math.cos(Math.PI * ((t - warmup) / decay)));
    return peakLr * ((1 - alpha) * cosine + alpha);
  };
}

/** One row of a schedule's table: the epoch and its learning rate. */
export interface ScheduleRow {
  epoch: number;
  lr: number;
}

/**
 * The rate at the start of each epoch 0..epochs-1 (global step = epoch * stepsPerEpoch), as
 * LearningRateScheduler(verbose=True) announces it and plot_learning_rate draws it.
 */
export function scheduleTable(schedule: LrSchedule, epochs: number, stepsPerEpoch = 0): ScheduleRow[] {
  return Array.from({ length: epochs }, (_, epoch) => ({ epoch, lr: schedule(epoch, epoch * stepsPerEpoch) }));
}

/**
 * The plotted plan: plot_learning_rate evaluates the schedule at x = 0…epochs (epochs + 1 points, drawn as a
 * post-step). A schedule that also moves within an epoch (mlengine's per-step decay) is sampled 20 times per
 * epoch so its curve shows.
 */
export function lrSeries(schedule: LrSchedule, epochs: number, stepsPerEpoch: number): Point[] {
  const perStep = stepsPerEpoch > 1 && schedule(0, 0) !== schedule(0, stepsPerEpoch - 1);
  const samplesPerEpoch = perStep ? 20 : 1;
  const points: Point[] = [];
  for (let i = 0; i <= epochs * samplesPerEpoch; i++) {
    const x = i / samplesPerEpoch;
    const epoch = Math.min(Math.floor(x), epochs);
    points.push({ x, y: schedule(epoch, Math.round(x * stepsPerEpoch)) });
  }
  return points;
}
