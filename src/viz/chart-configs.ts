// Chart.js configurations of every picture (curves, LR schedule, per-class accuracy, run comparison) as pure functions,
// the training charts built from chart-definitions.ts as the live web charts are.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { barValuesPlugin, facePlugin, minorGridPlugin } from './chart-plugins.js';
import {
  axisTitle,
  curveDataset,
  epochAxis,
  learningRateAxis,
  legendOption,
  linearAxis,
  tickStyle,
  titleOption,
  trainingPanel,
  type LineConfig,
} from './chart-definitions.js';
import type { BandPoint, CurveSeries, Point } from './curve-data.js';
import { panelZoom } from './curve-data.js';
import { colors, FONT_FAMILY } from './style.js';

/** Static rendering everywhere (Node canvases and the report); the web UI may switch animation back on. */
const staticOptions = {
  responsive: false,
  animation: false,
  devicePixelRatio: 1,
  font: { family: FONT_FAMILY },
} as const;

/** A training chart as a picture: drawn once, at the canvas's own size. */
function picture(config: LineConfig): LineConfig {
  return { ...config, options: { ...config.options, ...staticOptions } };
}

export interface CurvesOptions {
  /** The codelab's PlotTraining zoom (1, 10 or 16). */
  zoom: number;
  /** Planned epochs, so a partial run already shows the full x range. */
  epochs: number;
  /** What the validation data really is, for the legend, e.g. "10k test set". */
  validationNote: string;
  /** X axis title; step-based recipes say what their "epochs" are (default "epochs"). */
  xTitle?: string;
}

/** PlotTraining's two panels: loss on the left, accuracy on the right, x in epochs. */
export function curvesConfigs(series: CurveSeries, options: CurvesOptions): { loss: LineConfig; accuracy: LineConfig } {
  const panel = (name: 'loss' | 'accuracy', train: Point[], val: Point[]): LineConfig => {
    const { limits, title } = panelZoom(name, train, val, options.zoom);
    return picture(
      trainingPanel({
        title,
        datasets: [curveDataset('batches', `training ${name}`, train), curveDataset('validation', `validation ${name} (${options.validationNote})`, val)],
        x: epochAxis(options.epochs, options.xTitle),
        y: linearAxis(name, limits),
      }),
    );
  };
  return {
    loss: panel('loss', series.trainLoss, series.valLoss),
    accuracy: panel('accuracy', series.trainAccuracy, series.valAccuracy),
  };
}

/** `#RRGGBB` at an opacity, as an rgba() colour. */
function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * The old dashboard's time histogram: nested bands between symmetric bucket boundaries ([3,4], [2,5], [1,6],
 * [0,7]), each at opacity 1.6/7, so the middle of the distribution is darkest.
 */
export function distributionConfig(title: string, points: readonly BandPoint[], colour: string, epochs: number, xTitle?: string): LineConfig {
  const buckets = (points[0]?.boundaries.length ?? 8) - 1;
  const boundary = (k: number): Point[] => points.map((p) => ({ x: p.x, y: p.boundaries[k] }));
  const line = { pointRadius: 0, borderWidth: 0, borderColor: 'transparent' };
  const datasets: ChartDataset<'line', Point[]>[] = [];
  for (let low = Math.floor((buckets - 1) / 2); low >= 0; low--) {
    datasets.push({ label: `bucket boundary ${low}`, data: boundary(low), ...line, fill: false });
    datasets.push({
      label: `bucket boundary ${buckets - low}`,
      data: boundary(buckets - low),
      ...line,
      fill: { target: datasets.length - 1 },
      backgroundColor: withAlpha(colour, 1.6 / buckets),
    });
  }
  return {
    type: 'line',
    data: { datasets },
    options: {
      ...staticOptions,
      plugins: { title: titleOption(title), legend: { display: false } },
      scales: { x: epochAxis(epochs, xTitle), y: linearAxis('value', {}) },
    },
    plugins: [facePlugin, minorGridPlugin],
  };
}

/** plot_learning_rate: a thick post-step line over epochs 0…N, titled with the first and last trained rates. */
export function learningRateConfig(points: Point[], title: [string, string], epochs: number, xTitle?: string): LineConfig {
  return picture(
    trainingPanel({
      title,
      datasets: [curveDataset('planned', 'learning rate', points)],
      x: epochAxis(epochs, xTitle),
      y: learningRateAxis('learning rate', 'linear'),
      legend: false,
    }),
  );
}

/** Accuracy of each class on the test set as bars, the value written above each bar. */
export function perClassAccuracyConfig(
  classNames: readonly string[],
  accuracy: readonly number[],
  validationNote: string,
): ChartConfiguration<'bar', number[]> {
  const lowest = Math.min(...accuracy.filter(Number.isFinite));
  const min = Math.max(0, Math.floor((lowest - 0.02) * 50) / 50);
  return {
    type: 'bar',
    data: {
      labels: [...classNames],
      datasets: [{ label: 'accuracy', data: [...accuracy], backgroundColor: colors.training }],
    },
    options: {
      ...staticOptions,
      plugins: { title: titleOption(`Per-class accuracy on the ${validationNote}`), legend: { display: false } },
      scales: {
        x: {
          title: axisTitle('class'),
          ticks: tickStyle(),
          grid: { display: false },
          border: { display: false },
        },
        y: linearAxis('accuracy', { min, max: 1.0 }),
      },
    },
    plugins: [facePlugin, minorGridPlugin, barValuesPlugin((v) => v.toFixed(4))],
  };
}

export interface CompareRun {
  name: string;
  /** Validation accuracy at the end of epoch 1, 2, … */
  valAccuracy: Point[];
}

/** Lowest validation accuracy of any run, and the best final one. */
function compareExtent(runs: readonly CompareRun[]): { lowest: number; bestFinal: number } {
  const values = runs.flatMap((r) => r.valAccuracy.map((p) => p.y)).filter(Number.isFinite);
  const finals = runs.map((r) => r.valAccuracy.at(-1)?.y ?? NaN).filter(Number.isFinite);
  return { lowest: values.length ? Math.min(...values) : 0.9, bestFinal: finals.length ? Math.max(...finals) : 1 };
}

/**
 * Where a second, zoomed panel should start, or null when one panel shows every run well: when the runs
 * span more than 5 points (the whole ladder: 30% to 99%), the best ones are flat lines at the top.
 */
export function compareZoomMin(runs: readonly CompareRun[]): number | null {
  const { lowest, bestFinal } = compareExtent(runs);
  const zoomMin = Math.floor((bestFinal - 0.03) * 100) / 100;
  return zoomMin - lowest > 0.05 ? zoomMin : null;
}

/** The validation-accuracy curves of several runs overlaid (e.g. the whole ladder); `zoomMin` crops the y-axis. */
export function compareConfig(runs: readonly CompareRun[], validationNote: string, zoomMin: number | null = null): LineConfig {
  const { lowest } = compareExtent(runs);
  const maxEpoch = Math.max(1, ...runs.flatMap((r) => r.valAccuracy.map((p) => p.x)));
  const min = zoomMin ?? Math.max(0, Math.floor((lowest - 0.01) * 100) / 100);
  const title = zoomMin === null ? `Validation accuracy per epoch (${validationNote})` : `Zoomed on ${zoomMin.toFixed(2)}–1.00`;
  return {
    type: 'line',
    data: {
      datasets: runs.map((run, i) => ({
        label: run.name,
        data: run.valAccuracy,
        borderColor: colors.series[i % colors.series.length],
        backgroundColor: colors.series[i % colors.series.length],
        borderWidth: 2,
        pointRadius: 3,
      })),
    },
    options: {
      ...staticOptions,
      plugins: { title: titleOption(title), legend: { ...legendOption(), position: 'right' } },
      scales: { x: epochAxis(maxEpoch), y: linearAxis('validation accuracy', { min, max: 1.0 }) },
    },
    plugins: [facePlugin, minorGridPlugin],
  };
}
