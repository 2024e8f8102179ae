// The training charts' one definition (series colours and widths, axes, scales, titles, legend, faces) that the PNG
// pictures and the live web charts both build on; browser-safe, so the dashboard and the browser lab import it too.
import type { ChartConfiguration, ChartDataset, ScaleOptions, ScaleOptionsByType } from 'chart.js';
import { facePlugin, minorGridPlugin } from './chart-plugins.js';
import type { AxisLimits, Point } from './curve-data.js';
import { colors, FONT_FAMILY, fontSizes } from './style.js';

export type LineConfig = ChartConfiguration<'line', Point[]>;
type LinearAxis = Partial<ScaleOptionsByType<'linear'>>;
type LogAxis = ScaleOptions<'logarithmic'>;

/** Text sizes in pixels: the pictures use style.ts's fontSizes, a page its own smaller ones. */
export interface FontSizes {
  readonly tick: number;
  readonly title: number;
  readonly legend: number;
  readonly axisTitle: number;
}

/**
 * Every series a training chart draws. Thin lines are samples every few batches, thick lines with dots are values
 * per epoch; blue is training (matplotlib's C0), orange validation (C1). The planned learning rate is
 * plot_learning_rate's thick staircase, the rate fit applied a thin orange one over it.
 */
const SERIES = {
  batches: { colour: colors.training, borderWidth: 1, pointRadius: 0 },
  epochs: { colour: colors.training, borderWidth: 3, pointRadius: 4 },
  validation: { colour: colors.validation, borderWidth: 3, pointRadius: 4 },
  planned: { colour: colors.training, borderWidth: 3, pointRadius: 0, stepped: 'before' },
  applied: { colour: colors.validation, borderWidth: 1.5, pointRadius: 0, stepped: 'before' },
} as const;

export type SeriesKind = keyof typeof SERIES;

export function curveDataset(kind: SeriesKind, label: string, data: Point[]): ChartDataset<'line', Point[]> {
  const { colour, ...style } = SERIES[kind];
  return { label, data, borderColor: colour, backgroundColor: colour, ...style };
}

export function titleOption(text: string | string[], sizes: FontSizes = fontSizes) {
  return { display: true, text, color: colors.text, font: { family: FONT_FAMILY, size: sizes.title, weight: 'normal' as const } };
}

export function legendOption(sizes: FontSizes = fontSizes) {
  return {
    display: true,
    position: 'top' as const,
    labels: { color: colors.text, font: { family: FONT_FAMILY, size: sizes.legend }, boxHeight: 3 },
  };
}

export function tickStyle(sizes: FontSizes = fontSizes, stepSize?: number) {
  return { color: colors.tick, font: { family: FONT_FAMILY, size: sizes.tick }, includeBounds: false, stepSize };
}

export function axisTitle(text: string, sizes: FontSizes = fontSizes) {
  return { display: true, text, color: colors.text, font: { family: FONT_FAMILY, size: sizes.axisTitle } };
}

/** An axis as the codelab styles it: no tick marks, white spines, major grid, labels in 'large'. */
export function linearAxis(title: string, limits: Partial<AxisLimits>, sizes: FontSizes = fontSizes, extra: LinearAxis = {}): LinearAxis {
  return {
    type: 'linear',
    ...limits,
    title: axisTitle(title, sizes),
    ticks: tickStyle(sizes),
    grid: { color: colors.gridMajor, lineWidth: 1, drawTicks: false },
    border: { display: false },
    ...extra,
  } as LinearAxis;
}

/** The x axis in epochs 0…N, one major tick per epoch for the codelab's short runs. */
export function epochAxis(epochs: number, title = 'epochs', sizes: FontSizes = fontSizes): LinearAxis {
  return linearAxis(title, { min: 0, max: epochs }, sizes, { ticks: tickStyle(sizes, epochs <= 20 ? 1 : undefined) } as LinearAxis);
}

/** Log-axis labels only at 1, 2 and 5 × 10^k, written plainly (0.01, 0.005), so any schedule reads cleanly. */
export function roundLogTick(value: number | string): string {
  const v = Number(value);
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? String(Number(v.toPrecision(1))) : '';
}

/**
 * The learning-rate axis: linear from 0 as plot_learning_rate draws it (codelab §3.7), or logarithmic where applied
 * rates that span decades must stay readable (the live chart).
 */
export function learningRateAxis(title: string, scale: 'linear' | 'logarithmic', sizes: FontSizes = fontSizes): LinearAxis | LogAxis {
  if (scale === 'linear') return linearAxis(title, { min: 0 }, sizes);
  return {
    type: 'logarithmic',
    title: axisTitle(title, sizes),
    ticks: { ...tickStyle(sizes), callback: roundLogTick, autoSkip: false },
    grid: { color: colors.gridMajor, lineWidth: 1, drawTicks: false },
    border: { display: false },
  } satisfies LogAxis;
}

export interface PanelParts {
  title: string | string[];
  datasets: ChartDataset<'line', Point[]>[];
  x: LinearAxis;
  y: LinearAxis | LogAxis;
  /** Legend shown (default) or not (a single series). */
  legend?: boolean;
  sizes?: FontSizes;
}

/**
 * One training chart (curves or learning rate) with the codelab's faces and minor grid; how it is drawn (canvas
 * size, responsiveness, parsing) is the caller's to add.
 */
export function trainingPanel({ title, datasets, x, y, legend = true, sizes = fontSizes }: PanelParts): LineConfig {
  return {
    type: 'line',
    data: { datasets },
    options: {
      font: { family: FONT_FAMILY },
      plugins: { title: titleOption(title, sizes), legend: legend ? legendOption(sizes) : { display: false } },
      scales: { x, y },
    },
    plugins: [facePlugin, minorGridPlugin],
  };
}
