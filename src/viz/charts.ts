// The chart pictures (training curves, LR schedule, per-class accuracy, comparison) as PNG + SVG.
import type { HistoryRecord } from '../run/schema.js';
import { compareConfig, compareZoomMin, curvesConfigs, distributionConfig, learningRateConfig, perClassAccuracyConfig, type CompareRun, type CurvesOptions } from './chart-configs.js';
import { chartPng, chartSvg, panelsPng, panelsSvg } from './chart-render.js';
import { curveSeries, lrTitle, weightBands, type Point } from './curve-data.js';
import { colors, figureSizes } from './style.js';

export interface ChartPicture {
  png: Buffer;
  svg: string;
}

/** PlotTraining's figure (1152×504): loss left, accuracy right; any prefix of a history renders. */
export function trainingCurvesChart(history: readonly HistoryRecord[], options: CurvesOptions): ChartPicture {
  const { loss, accuracy } = curvesConfigs(curveSeries(history), options);
  const panel = { width: figureSizes.curves.width / 2, height: figureSizes.curves.height };
  return { png: panelsPng([loss, accuracy], panel), svg: panelsSvg([loss, accuracy], panel) };
}

/** The old dashboard's "Weights" and "Biases" panels side by side, over the epochs the history has reached. */
export function weightsChart(history: readonly HistoryRecord[], epochs: number, xTitle?: string): ChartPicture {
  const bands = weightBands(history);
  const configs = [
    distributionConfig('Weights', bands.weights, colors.weightBands, epochs, xTitle),
    distributionConfig('Biases (and batch-norm offsets)', bands.biases, colors.biasBands, epochs, xTitle),
  ];
  const panel = { width: figureSizes.curves.width / 2, height: figureSizes.curves.height };
  return { png: panelsPng(configs, panel), svg: panelsSvg(configs, panel) };
}

/** plot_learning_rate's figure (648×432) for the sampled schedule. */
export function learningRateChart(points: Point[], epochs: number, xTitle?: string): ChartPicture {
  const config = learningRateConfig(points, lrTitle(points, epochs), epochs, xTitle);
  return { png: chartPng(config, figureSizes.learningRate), svg: chartSvg(config, figureSizes.learningRate) };
}

export function perClassAccuracyChart(classNames: readonly string[], accuracy: readonly number[], validationNote: string): ChartPicture {
  const config = perClassAccuracyConfig(classNames, accuracy, validationNote);
  return { png: chartPng(config, figureSizes.perClass), svg: chartSvg(config, figureSizes.perClass) };
}

/** The runs' validation curves; a second panel zooms on the best runs when the first squeezes them flat. */
export function compareChart(runs: readonly CompareRun[], validationNote: string): ChartPicture {
  const config = compareConfig(runs, validationNote);
  const zoomMin = compareZoomMin(runs);
  if (zoomMin === null) return { png: chartPng(config, figureSizes.compare), svg: chartSvg(config, figureSizes.compare) };
  const configs = [config, compareConfig(runs, validationNote, zoomMin)];
  return { png: panelsPng(configs, figureSizes.compare), svg: panelsSvg(configs, figureSizes.compare) };
}
