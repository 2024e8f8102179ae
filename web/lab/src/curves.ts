// The page's side of the charts: hands the canvases to the chart worker and forwards records, plans and comparisons.
import type { HistoryRecord, Point } from '../../../src/run/schema.js';
import type { CompareRun } from '../../../src/viz/chart-configs.js';
import type { ChartLabels, ChartPanel } from '../../src/charts.js';
import type { ChartMessage, CompareLabels } from './chart-worker.js';

type Panel = ChartPanel | 'compare';
type Size = { width: number; height: number };

const PANELS: readonly Panel[] = ['loss', 'accuracy', 'lr', 'compare'];

export class Curves {
  private readonly worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module' });
  private readonly elements: Record<Panel, HTMLCanvasElement>;

  /** `elements` must not have drawn yet: their drawing moves to the worker. */
  constructor(elements: Record<Panel, HTMLCanvasElement>, labels: ChartLabels, redrawMs: number) {
    this.elements = elements;
    this.fitToBoxes();
    const offscreen = Object.fromEntries(PANELS.map((p) => [p, elements[p].transferControlToOffscreen()])) as Record<Panel, OffscreenCanvas>;
    this.send({ type: 'init', canvases: offscreen, labels, redrawMs }, Object.values(offscreen));
    const observer = new ResizeObserver(() => this.send({ type: 'resize', sizes: this.sizes() }));
    for (const panel of ['loss', 'compare'] as const) observer.observe(elements[panel].parentElement as HTMLElement);
  }

  private send(message: ChartMessage, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /**
   * Each canvas's size: its box's content, in CSS pixels. In a worker chart.js draws one canvas pixel per CSS pixel
   * (its BasicPlatform), a little soft on high-density screens.
   */
  private sizes(): Record<Panel, Size> {
    const size = (canvas: HTMLCanvasElement) => {
      const box = canvas.parentElement as HTMLElement;
      const style = getComputedStyle(box);
      const pad = (a: string, b: string) => parseFloat(style.getPropertyValue(a)) + parseFloat(style.getPropertyValue(b));
      return {
        width: Math.max(1, Math.floor(box.clientWidth - pad('padding-left', 'padding-right'))),
        height: Math.max(1, Math.floor(box.clientHeight - pad('padding-top', 'padding-bottom'))),
      };
    };
    return Object.fromEntries(PANELS.map((p) => [p, size(this.elements[p])])) as Record<Panel, Size>;
  }

  private fitToBoxes(): void {
    for (const [panel, { width, height }] of Object.entries(this.sizes()) as [Panel, Size][]) {
      Object.assign(this.elements[panel], { width, height });
    }
  }

  add(records: HistoryRecord[]): void {
    this.send({ type: 'records', records });
  }

  /** The learning rate as planned before training (plot_learning_rate), x in epochs. */
  showPlan(points: Point[], epochs: number): void {
    this.send({ type: 'plan', points, epochs });
  }

  reset(): void {
    this.send({ type: 'reset' });
  }

  setLabels(labels: ChartLabels): void {
    this.send({ type: 'labels', labels });
  }

  /** Overlays the runs' validation accuracy per epoch (none: an empty chart). */
  compare(runs: CompareRun[], labels: CompareLabels): void {
    this.send({ type: 'compare', runs, labels });
  }
}
