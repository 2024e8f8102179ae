// The lab's curves drawn in a worker on OffscreenCanvases: chart.js work never runs on the page's main thread.
import type { HistoryRecord } from '../../../src/run/schema.js';
import { TrainingCharts, type ChartLabels, type ChartPanel } from '../../src/charts.js';

/** Page → chart worker. */
export type ChartMessage =
  | { type: 'init'; canvases: Record<ChartPanel, OffscreenCanvas>; labels: ChartLabels; redrawMs: number }
  | { type: 'records'; records: HistoryRecord[] }
  | { type: 'reset' }
  | { type: 'labels'; labels: ChartLabels }
  | { type: 'resize'; sizes: Record<ChartPanel, { width: number; height: number }> };

const scope = self as unknown as { onmessage: ((event: MessageEvent<ChartMessage>) => void) | null };

let charts: TrainingCharts | null = null;

scope.onmessage = ({ data: message }) => {
  if (message.type === 'init') {
    charts = new TrainingCharts(message.canvases, { labels: message.labels, redrawMs: message.redrawMs });
  } else if (message.type === 'records') {
    for (const record of message.records) charts?.add(record);
  } else if (message.type === 'reset') {
    charts?.reset();
  } else if (message.type === 'labels') {
    charts?.setLabels(message.labels);
  } else {
    charts?.resize(message.sizes);
  }
};
