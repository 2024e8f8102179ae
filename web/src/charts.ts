// Live training curves with chart.js: loss, accuracy (training batches, epoch means, validation) and learning rate (planned and applied).
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Title,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { HistoryRecord } from '../../src/run/schema.js';
import { panelZoom } from '../../src/viz/curve-data.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Title, Tooltip);

type Point = { x: number; y: number };
type Series = ChartDataset<'line', Point[]>;
/** A planned schedule to draw before the run's first record. */
type PlanRecord = { type: 'plan'; points: readonly Point[]; epochs: number };

const COLOURS = { batches: '#90caf9', training: '#1565c0', validation: '#e65100', lr: '#6a1b9a', planned: '#ce93d8' };

function series(label: string, colour: string, showLine: boolean, pointRadius: number): Series {
  return { label, data: [], borderColor: colour, backgroundColor: colour, showLine, pointRadius, borderWidth: 1.5, tension: 0 };
}

/** Log-axis labels only at 1, 2 and 5 × 10^k, written plainly (0.01, 0.005), so any schedule reads cleanly. */
function roundLogTick(value: number | string): string {
  const v = Number(value);
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? String(Number(v.toPrecision(1))) : '';
}

function lineChart(canvas: ChartCanvas, title: string, datasets: Series[], y: object, xTitle: string): Chart<'line', Point[]> {
  // chart.js draws on an OffscreenCanvas too (its platform detection picks BasicPlatform); its types leave it out.
  return new Chart<'line', Point[]>(canvas as HTMLCanvasElement, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      plugins: { title: { display: true, text: title }, legend: { labels: { boxWidth: 12 } } },
      scales: { x: { type: 'linear', title: { display: true, text: xTitle }, min: 0 }, y },
    },
  });
}

/** The charts' words, so a page in another language can show them in its own (numbers stay as they are). */
export interface ChartLabels {
  loss: string;
  accuracy: string;
  learningRate: string;
  /** The schedule as planned before training (plot_learning_rate, or the run's start record). */
  planned: string;
  batches: string;
  epochs: string;
  validation: string;
  /** The x axis. */
  epoch: string;
  /** Legends read right to left (Hebrew). */
  rtl: boolean;
  /** Titles add panelZoom's English notes ("zoom 10", "range widened …"); a page in another language leaves them out. */
  zoomNotes: boolean;
}

export const ENGLISH_CHART_LABELS: ChartLabels = {
  loss: 'Loss',
  accuracy: 'Accuracy',
  learningRate: 'Learning rate',
  planned: 'planned',
  batches: 'training (batches)',
  epochs: 'training (epoch)',
  validation: 'validation (test set)',
  epoch: 'epoch',
  rtl: false,
  zoomNotes: true,
};

/** A page's canvas, or one handed to a worker (transferControlToOffscreen) so drawing leaves the main thread. */
export type ChartCanvas = HTMLCanvasElement | OffscreenCanvas;

export type ChartPanel = 'loss' | 'accuracy' | 'lr';

export interface TrainingChartsOptions {
  labels?: ChartLabels;
  /** Shortest time between two redraws (ms); 0 (the default) draws at the next frames. */
  redrawMs?: number;
  /** Hears each panel's y range when it changes (the dashboard writes it on the canvas for tests and readers). */
  onRange?: (panel: 'loss' | 'accuracy', limits: { min: number; max: number }) => void;
}

/**
 * Three charts fed with history records. Batch samples are placed at epoch + step/stepsPerEpoch, epoch
 * records at the end of their epoch; "validation" is measured on the 10k test set, as the codelab does.
 * Records are queued; a redraw applies them and then updates one chart per animation frame, at most every
 * `redrawMs`, so neither a long history nor a busy machine makes one task hold the page (one chart took 50-75 ms
 * on a loaded 2-core machine while the lab trained on a software GPU; three in one frame went past 100 ms).
 */
export class TrainingCharts {
  private readonly loss: Chart<'line', Point[]>;
  private readonly accuracy: Chart<'line', Point[]>;
  private readonly lr: Chart<'line', Point[]>;
  private stepsPerEpoch = 1;
  /** The preset's PlotTraining zoom (1, 10 or 16), applied as the run's pictures apply it. */
  private zoom = 1;
  private queued: (HistoryRecord | PlanRecord)[] = [];
  /** The pending redraw (a timer, then an animation frame); null when none is. */
  private frame: ReturnType<typeof setTimeout> | null = null;
  /** Charts still to update in the current redraw. */
  private stale: Chart<'line', Point[]>[] = [];
  private lastRedraw = -Infinity;

  private labels: ChartLabels;
  private readonly redrawMs: number;
  private readonly onRange: TrainingChartsOptions['onRange'];

  constructor(canvases: Record<ChartPanel, ChartCanvas>, options: TrainingChartsOptions = {}) {
    const labels = options.labels ?? ENGLISH_CHART_LABELS;
    this.labels = labels;
    this.redrawMs = options.redrawMs ?? 0;
    this.onRange = options.onRange;
    const trio = () => [
      series(labels.batches, COLOURS.batches, true, 0),
      series(labels.epochs, COLOURS.training, true, 3),
      series(labels.validation, COLOURS.validation, true, 3),
    ];
    this.loss = lineChart(canvases.loss, labels.loss, trio(), { type: 'linear', min: 0, max: 1.2 }, labels.epoch);
    this.accuracy = lineChart(canvases.accuracy, labels.accuracy, trio(), { type: 'linear', min: 0.5, max: 1.05 }, labels.epoch);
    this.lr = lineChart(
      canvases.lr,
      labels.learningRate,
      [
        { ...series(labels.learningRate, COLOURS.lr, true, 0), stepped: 'before' },
        { ...series(labels.planned, COLOURS.planned, true, 0), stepped: 'before', borderDash: [6, 4], borderWidth: 2.5 },
      ],
      { type: 'logarithmic', ticks: { callback: roundLogTick, autoSkip: false } },
      labels.epoch,
    );
    this.setLabels(labels);
  }

  /** Shows the charts' words in another language; takes effect at once. */
  setLabels(labels: ChartLabels): void {
    this.labels = labels;
    const names = [labels.batches, labels.epochs, labels.validation];
    for (const chart of [this.loss, this.accuracy]) chart.data.datasets.forEach((dataset, i) => (dataset.label = names[i]));
    this.lr.data.datasets[0].label = labels.learningRate;
    this.lr.data.datasets[1].label = labels.planned;
    const lrTitle = this.lr.options.plugins?.title;
    if (lrTitle) lrTitle.text = labels.learningRate;
    for (const chart of [this.loss, this.accuracy, this.lr]) {
      const legend = chart.options.plugins?.legend;
      if (legend) legend.rtl = labels.rtl;
      const x = chart.options.scales?.x;
      if (x && 'title' in x && x.title) x.title.text = labels.epoch;
    }
    this.schedule();
  }

  /** The run's preset zoom (the codelab's PlotTraining zoom: 1, 10 or 16); takes effect at the next drawing. */
  setZoom(zoom: number): void {
    this.zoom = zoom;
    this.schedule();
  }

  /** Sets each panel's size in CSS pixels: a worker's OffscreenCanvas does not follow its element by itself. */
  resize(sizes: Record<ChartPanel, { width: number; height: number }>): void {
    const charts: Record<ChartPanel, Chart<'line', Point[]>> = { loss: this.loss, accuracy: this.accuracy, lr: this.lr };
    for (const panel of Object.keys(sizes) as ChartPanel[]) charts[panel].resize(sizes[panel].width, sizes[panel].height);
  }

  /** Clears every series. */
  reset(): void {
    this.queued = [];
    for (const chart of [this.loss, this.accuracy, this.lr]) {
      for (const dataset of chart.data.datasets) dataset.data = [];
      chart.update('none');
    }
  }

  /**
   * The learning rate as planned (x in epochs), before any training: plot_learning_rate's picture. The run's start
   * record replaces it with fit's own plan.
   */
  showPlan(points: readonly Point[], epochs: number): void {
    this.queued.push({ type: 'plan', points, epochs });
    this.schedule();
  }

  add(record: HistoryRecord): void {
    this.queued.push(record);
    if (record.type === 'end') this.lastRedraw = -Infinity; // the run's last picture comes at once
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== null) return;
    const wait = this.stale.length > 0 ? 0 : Math.max(0, this.lastRedraw + this.redrawMs - performance.now());
    this.frame = setTimeout(() => requestAnimationFrame(() => this.drawNext()), wait);
  }

  private drawNext(): void {
    this.frame = null;
    if (this.stale.length === 0) {
      this.lastRedraw = performance.now();
      for (const record of this.queued.splice(0)) this.apply(record);
      this.rescale('loss', this.loss);
      this.rescale('accuracy', this.accuracy);
      this.stale = [this.loss, this.accuracy, this.lr];
    }
    this.stale.shift()?.update('none');
    if (this.stale.length > 0 || this.queued.length > 0) this.schedule();
  }

  /**
   * The y range the run's curves picture uses: the preset's zoom, unless it would hide validation values (then
   * zoom 1, then wider), so the live chart and curves.png show the same view; the title says which.
   */
  private rescale(name: 'loss' | 'accuracy', chart: Chart<'line', Point[]>): void {
    const [batches, , validation] = chart.data.datasets;
    const { limits, title } = panelZoom(name, batches.data, validation.data, this.zoom);
    const y = chart.options.scales?.y;
    if (y) Object.assign(y, limits);
    this.onRange?.(name, limits);
    // panelZoom's title is the panel's name plus, when zoomed or widened, why (in English).
    const heading = chart.options.plugins?.title;
    if (heading) heading.text = this.labels[name] + (this.labels.zoomNotes ? title.slice(name.length) : '');
  }

  /** The x axis spans the whole run from the start, so live curves grow without rescaling. */
  private spanEpochs(epochs: number): void {
    for (const chart of [this.loss, this.accuracy, this.lr]) {
      const x = chart.options.scales?.x;
      if (x) x.max = epochs;
    }
  }

  private apply(record: HistoryRecord | PlanRecord): void {
    const [lossBatches, lossEpochs, lossValidation] = this.loss.data.datasets;
    const [accuracyBatches, accuracyEpochs, accuracyValidation] = this.accuracy.data.datasets;
    const [lr, planned] = this.lr.data.datasets;
    if (record.type === 'plan') {
      this.spanEpochs(record.epochs);
      planned.data = [...record.points];
    } else if (record.type === 'start') {
      this.stepsPerEpoch = Math.max(1, record.stepsPerEpoch);
      this.spanEpochs(record.epochs);
      // Runs from before lab files wrote no plan in their start record.
      const plan = (record as { lr?: Point[] }).lr ?? [];
      if (plan.length > 0) planned.data = [...plan];
    } else if (record.type === 'batch') {
      const x = record.epoch + (record.step + 1) / this.stepsPerEpoch;
      lossBatches.data.push({ x, y: record.loss });
      accuracyBatches.data.push({ x, y: record.accuracy });
      lr.data.push({ x, y: record.lr });
    } else if (record.type === 'epoch') {
      const x = record.epoch + 1;
      lossEpochs.data.push({ x, y: record.loss });
      lossValidation.data.push({ x, y: record.val_loss });
      accuracyEpochs.data.push({ x, y: record.accuracy });
      accuracyValidation.data.push({ x, y: record.val_accuracy });
      if (lr.data.length === 0 || lr.data[lr.data.length - 1].x < x) lr.data.push({ x, y: record.lr });
    }
  }
}
