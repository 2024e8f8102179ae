// Turns history records and schedules into the plotted series (x in epochs), zoom limits and titles; pure, browser-safe.
import type { BatchRecord, EpochRecord, HistoryRecord, Point, WeightsRecord } from '../run/schema.js';

export type { Point };

export interface CurveSeries {
  /** Training samples every N batches, x = global step / steps per epoch. */
  trainLoss: Point[];
  trainAccuracy: Point[];
  /** Validation at each epoch end, x = epoch number counted from 1. */
  valLoss: Point[];
  valAccuracy: Point[];
}

/** Steps per epoch from the last start record (a resumed run appends one), or null before training starts. */
export function stepsPerEpochOf(history: readonly HistoryRecord[]): number | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const record = history[i];
    if (record.type === 'start') return record.stepsPerEpoch;
  }
  return null;
}

export const batchRecords = (history: readonly HistoryRecord[]): BatchRecord[] =>
  history.filter((r): r is BatchRecord => r.type === 'batch');

/** Epoch records, the last one winning when a resumed run repeats an epoch. */
export function epochRecords(history: readonly HistoryRecord[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const r of history) if (r.type === 'epoch') byEpoch.set(r.epoch, r);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/**
 * The series PlotTraining draws. Works on a partial history (training still running): whatever records
 * exist are plotted. Epoch records count epochs from 0, so epoch e's validation point sits at x = e + 1.
 */
export function curveSeries(history: readonly HistoryRecord[]): CurveSeries {
  const batches = batchRecords(history);
  const epochs = epochRecords(history);
  const steps = stepsPerEpochOf(history) ?? Math.max(1, ...batches.map((b) => b.step + 1));
  const xOf = (b: BatchRecord) => b.globalStep / steps;
  return {
    trainLoss: batches.map((b) => ({ x: xOf(b), y: b.loss })),
    trainAccuracy: batches.map((b) => ({ x: xOf(b), y: b.accuracy })),
    valLoss: epochs.map((e) => ({ x: e.epoch + 1, y: e.val_loss })),
    valAccuracy: epochs.map((e) => ({ x: e.epoch + 1, y: e.val_accuracy })),
  };
}

/** The spread of the weights or biases after `x` epochs: bucket boundaries, min … max. */
export interface BandPoint {
  x: number;
  boundaries: number[];
}

/** The weights records as two band series (the last record of an epoch wins, as a resumed run may repeat it). */
export function weightBands(history: readonly HistoryRecord[]): { weights: BandPoint[]; biases: BandPoint[] } {
  const byEpoch = new Map<number, WeightsRecord>();
  for (const r of history) if (r.type === 'weights') byEpoch.set(r.epoch, r);
  const records = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  return {
    weights: records.map((r) => ({ x: r.epoch, boundaries: r.weights })),
    biases: records.map((r) => ({ x: r.epoch, boundaries: r.biases })),
  };
}

export interface AxisLimits {
  min: number;
  max: number;
}

/** PlotTraining's y limits: loss 0…1.2/zoom, accuracy 1−1/(2·zoom)…1+0.05/zoom. */
export function zoomLimits(zoom: number): { loss: AxisLimits; accuracy: AxisLimits } {
  return {
    loss: { min: 0, max: 1.2 / zoom },
    accuracy: { min: 1 - 1 / zoom / 2, max: 1 + 0.1 / zoom / 2 },
  };
}

/**
 * The y range of one panel: the codelab's zoom, unless it would hide validation values (or, before the first
 * validation, the latest training value), as in a short run; then zoom 1, widened to the values when even
 * zoom 1 would cut them off (an untrained model's loss of 2.3), and the title says why.
 */
export function panelZoom(name: 'loss' | 'accuracy', train: Point[], val: Point[], zoom: number): { limits: AxisLimits; title: string } {
  const watched = val.length ? val : train.slice(-1);
  const shows = (limits: AxisLimits) => watched.every((p) => p.y >= limits.min && p.y <= limits.max);
  const zoomed = zoomLimits(zoom)[name];
  if (shows(zoomed)) return { limits: zoomed, title: zoom === 1 ? name : `${name} (zoom ${zoom})` };
  const one = zoomLimits(1)[name];
  if (shows(one)) return { limits: one, title: `${name} (zoom 1: zoom ${zoom} would hide validation values)` };
  const values = watched.map((p) => p.y);
  const limits =
    name === 'loss'
      ? { min: 0, max: Math.ceil(Math.max(...values) * 1.1 * 10) / 10 }
      : { min: Math.floor(Math.min(...values) * 10) / 10, max: one.max };
  return { limits, title: `${name} (range widened to show every validation value)` };
}

/**
 * The LR plot title: 'Learning rate\ndecays from {y[0]:0.3g} to {y[-2]:0.3g}', y[-2] being the last trained epoch
 * (for a per-step schedule, the last point drawn inside training, not the start of the last epoch); a schedule that
 * first warms up (one-cycle) says so: 'rises from … to {peak}, then decays to …'.
 */
export function lrTitle(points: readonly Point[], epochs: number): [string, string] {
  const first = points[0].y;
  const lastTrained = [...points].reverse().find((p) => p.x < epochs) ?? points[0];
  if (points.every((p) => p.y === first)) return ['Learning rate', `constant at ${formatG(first)}`];
  const peak = Math.max(...points.map((p) => p.y));
  if (peak > first) return ['Learning rate', `rises from ${formatG(first)} to ${formatG(peak)}, then decays to ${formatG(lastTrained.y)}`];
  return ['Learning rate', `decays from ${formatG(first)} to ${formatG(lastTrained.y)}`];
}

/** Python's '{:0.Ng}' format: N significant digits, trailing zeros dropped, exponent form below 1e-4. */
export function formatG(value: number, digits = 3): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const [mantissa, expText] = value.toExponential(digits - 1).split('e');
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= digits) {
    const sign = exponent < 0 ? '-' : '+';
    return `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripZeros(value.toFixed(Math.max(0, digits - 1 - exponent)));
}

const stripZeros = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
