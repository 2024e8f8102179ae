// The lab's charts drawn in a worker on OffscreenCanvases: chart.js work never runs on the page's main thread.
import { Chart } from 'chart.js';
import type { HistoryRecord, Point } from '../../../src/run/schema.js';
import { compareConfig, type CompareRun } from '../../../src/viz/chart-configs.js';
import { TrainingCharts, type ChartLabels, type ChartPanel } from '../../src/charts.js';

/** The comparison chart's words in the page's language. */
export interface CompareLabels {
  title: string;
  axis: string;
  epoch: string;
}

type Size = { width: number; height: number };

/** Page → chart worker. */
export type ChartMessage =
  | { type: 'init'; canvases: Record<ChartPanel | 'compare', OffscreenCanvas>; labels: ChartLabels; redrawMs: number }
  | { type: 'records'; records: HistoryRecord[] }
  | { type: 'plan'; points: Point[]; epochs: number }
  | { type: 'reset' }
  | { type: 'labels'; labels: ChartLabels }
  | { type: 'compare'; runs: CompareRun[]; labels: CompareLabels }
  | { type: 'resize'; sizes: Record<ChartPanel | 'compare', Size> };

const scope = self as unknown as { onmessage: ((event: MessageEvent<ChartMessage>) => void) | null };

let charts: TrainingCharts | null = null;
let compareCanvas: OffscreenCanvas | null = null;
let comparison: Chart<'line', Point[]> | null = null;

/** The kept models' validation accuracy overlaid: the run comparison's chart (compare.html's), in the page's words. */
function compare(runs: CompareRun[], labels: CompareLabels): void {
  comparison?.destroy();
  comparison = null;
  if (compareCanvas === null || runs.length === 0) return;
  const config = compareConfig(runs, '');
  const { plugins, scales } = config.options ?? {};
  if (plugins?.title) plugins.title.text = labels.title;
  // Below the chart, where long run names wrap into rows instead of running off a page-wide canvas.
  if (plugins?.legend) plugins.legend.position = 'bottom';
  for (const [axis, title] of [
    [scales?.x, labels.epoch],
    [scales?.y, labels.axis],
  ] as const) {
    if (axis && 'title' in axis && axis.title) axis.title.text = title;
  }
  comparison = new Chart(compareCanvas as unknown as HTMLCanvasElement, config);
}

scope.onmessage = ({ data: message }) => {
  if (message.type === 'init') {
    const { compare: canvas, ...panels } = message.canvases;
    compareCanvas = canvas;
    charts = new TrainingCharts(panels, { labels: message.labels, redrawMs: message.redrawMs });
  } else if (message.type === 'records') {
    for (const record of message.records) charts?.add(record);
  } else if (message.type === 'plan') {
    charts?.showPlan(message.points, message.epochs);
  } else if (message.type === 'reset') {
    charts?.reset();
  } else if (message.type === 'labels') {
    charts?.setLabels(message.labels);
  } else if (message.type === 'compare') {
    compare(message.runs, message.labels);
  } else {
    const { compare: size, ...panels } = message.sizes;
    charts?.resize(panels);
    comparison?.resize(size.width, size.height);
  }
};
