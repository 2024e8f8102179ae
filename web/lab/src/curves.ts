// The page's side of the curves: hands the three canvases to the chart worker and forwards records to it.
import type { HistoryRecord } from '../../../src/run/schema.js';
import type { ChartLabels, ChartPanel } from '../../src/charts.js';
import type { ChartMessage } from './chart-worker.js';

const PANELS: readonly ChartPanel[] = ['loss', 'accuracy', 'lr'];

export class Curves {
  private readonly worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module' });
  private readonly elements: Record<ChartPanel, HTMLCanvasElement>;

  /** `elements` must not have drawn yet: their drawing moves to the worker. */
  constructor(elements: Record<ChartPanel, HTMLCanvasElement>, labels: ChartLabels, redrawMs: number) {
    this.elements = elements;
    this.fitToBoxes();
    const offscreen = Object.fromEntries(PANELS.map((p) => [p, elements[p].transferControlToOffscreen()])) as Record<ChartPanel, OffscreenCanvas>;
    this.send({ type: 'init', canvases: offscreen, labels, redrawMs }, Object.values(offscreen));
    new ResizeObserver(() => this.send({ type: 'resize', sizes: this.sizes() })).observe(elements.loss.parentElement as HTMLElement);
  }

  private send(message: ChartMessage, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /**
   * Each canvas's size: its box's content, in CSS pixels. In a worker chart.js draws one canvas pixel per CSS pixel
   * (its BasicPlatform), a little soft on high-density screens.
   */
  private sizes(): Record<ChartPanel, { width: number; height: number }> {
    const size = (canvas: HTMLCanvasElement) => {
      const box = canvas.parentElement as HTMLElement;
      const style = getComputedStyle(box);
      const pad = (a: string, b: string) => parseFloat(style.getPropertyValue(a)) + parseFloat(style.getPropertyValue(b));
      return {
        width: Math.floor(box.clientWidth - pad('padding-left', 'padding-right')),
        height: Math.floor(box.clientHeight - pad('padding-top', 'padding-bottom')),
      };
    };
    return Object.fromEntries(PANELS.map((p) => [p, size(this.elements[p])])) as Record<ChartPanel, { width: number; height: number }>;
  }

  private fitToBoxes(): void {
    for (const [panel, { width, height }] of Object.entries(this.sizes()) as [ChartPanel, { width: number; height: number }][]) {
      Object.assign(this.elements[panel], { width, height });
    }
  }

  add(records: HistoryRecord[]): void {
    this.send({ type: 'records', records });
  }

  reset(): void {
    this.send({ type: 'reset' });
  }

  setLabels(labels: ChartLabels): void {
    this.send({ type: 'labels', labels });
  }
}
