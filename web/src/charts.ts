// Live training curves with chart.js: loss, accuracy (training batches, epoch means, validation) and learning rate (planned and applied).
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Title, Tooltip } from 'chart.js';
import type { HistoryRecord } from '../../src/run/schema.js';
import {
  curveDataset,
  epochAxis,
  learningRateAxis,
  linearAxis,
  trainingPanel,
  type FontSizes,
  type LineConfig,
} from '../../src/viz/chart-definitions.js';
import { panelZoom, zoomLimits } from '../../src/viz/curve-data.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Title, Tooltip);

type Point = { x: number; y: number };
/** A planned schedule to draw before the run's first record. */
type PlanRecord = { type: 'plan'; points: readonly Point[]; epochs: number };

/** Text sizes for panels a few hundred pixels wide (the pictures' sizes suit their 576-pixel panels). */
const SCREEN_FONT_SIZES: FontSizes = { tick: 11, title: 13, legend: 11, axisTitle: 11 };

/** What a live chart needs beyond the shared definition: no animation, the figure's height, points as given. */
const LIVE_OPTIONS = { animation: false, maintainAspectRatio: false, parsing: false, normalized: true } as const;

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

/**
 * The three live charts, empty, from the same definitions as the run's pictures: curves.png's series, axes and
 * faces (with the epoch means added), the learning rate on a log axis with the planned rate as learning-rate.png draws it.
 */
export function liveChartConfigs(labels: ChartLabels): Record<ChartPanel, LineConfig> {
  const live = (parts: Parameters<typeof trainingPanel>[0]): LineConfig => {
    const config = trainingPanel({ ...parts, sizes: SCREEN_FONT_SIZES });
    // Shorter legend lines, closer together, so three series fit beside each other in a narrow panel.
    const legend = config.options?.plugins?.legend;
    if (legend?.labels) Object.assign(legend.labels, { boxWidth: 14, padding: 5 });
    return { ...config, options: { ...config.options, ...LIVE_OPTIONS } };
  };
  const x = epochAxis(1, labels.epoch, SCREEN_FONT_SIZES);
  const curves = (name: 'loss' | 'accuracy') =>
    live({
      title: labels[name],
      datasets: [curveDataset('batches', labels.batches, []), curveDataset('epochs', labels.epochs, []), curveDataset('validation', labels.validation, [])],
      x: structuredClone(x),
      y: linearAxis(labels[name], zoomLimits(1)[name], SCREEN_FONT_SIZES),
    });
  return {
    loss: curves('loss'),
    accuracy: curves('accuracy'),
    lr: live({
      title: labels.learningRate,
      datasets: [curveDataset('applied', labels.learningRate, []), curveDataset('planned', labels.planned, [])],
      x: structuredClone(x),
      y: learningRateAxis(labels.learningRate, 'logarithmic', SCREEN_FONT_SIZES),
    }),
  };
}

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
    const configs = liveChartConfigs(labels);
    // chart.js draws on an OffscreenCanvas too (its platform detection picks BasicPlatform); its types leave it out.
    const chart = (panel: ChartPanel) => new Chart<'line', Point[]>(canvases[panel] as HTMLCanvasElement, configs[panel]);
    this.loss = chart('loss');
    this.accuracy = chart('accuracy');
    this.lr = chart('lr');
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
    const yTitles = [labels.loss, labels.accuracy, labels.learningRate];
    [this.loss, this.accuracy, this.lr].forEach((chart, i) => {
      const legend = chart.options.plugins?.legend;
      if (legend) legend.rtl = labels.rtl;
      const { x, y } = chart.options.scales ?? {};
      if (x && 'title' in x && x.title) x.title.text = labels.epoch;
      if (y && 'title' in y && y.title) y.title.text = yTitles[i];
    });
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
      if (x) Object.assign(x, epochAxis(epochs, this.labels.epoch, SCREEN_FONT_SIZES));
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
