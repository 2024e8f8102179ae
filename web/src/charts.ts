// Live training curves with chart.js: loss, accuracy (training batches, epoch means, validation) and learning rate.
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

const COLOURS = { batches: '#90caf9', training: '#1565c0', validation: '#e65100', lr: '#6a1b9a' };

function series(label: string, colour: string, showLine: boolean, pointRadius: number): Series {
  return { label, data: [], borderColor: colour, backgroundColor: colour, showLine, pointRadius, borderWidth: 1.5, tension: 0 };
}

/** Log-axis labels only at 1, 2 and 5 × 10^k, written plainly (0.01, 0.005), so any schedule reads cleanly. */
function roundLogTick(value: number | string): string {
  const v = Number(value);
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? String(Number(v.toPrecision(1))) : '';
}

function lineChart(canvas: HTMLCanvasElement, title: string, datasets: Series[], y: object): Chart<'line', Point[]> {
  return new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      plugins: { title: { display: true, text: title }, legend: { labels: { boxWidth: 12 } } },
      scales: { x: { type: 'linear', title: { display: true, text: 'epoch' }, min: 0 }, y },
    },
  });
}

/**
 * Three charts fed with history records. Batch samples are placed at epoch + step/stepsPerEpoch, epoch
 * records at the end of their epoch; "validation" is measured on the 10k test set, as the codelab does.
 * Records are queued and drawn once per animation frame, so a long history never blocks the page.
 */
export class TrainingCharts {
  private readonly loss: Chart<'line', Point[]>;
  private readonly accuracy: Chart<'line', Point[]>;
  private readonly lr: Chart<'line', Point[]>;
  private stepsPerEpoch = 1;
  /** The preset's PlotTraining zoom (1, 10 or 16), applied as the run's pictures apply it. */
  private zoom = 1;
  private queued: HistoryRecord[] = [];
  private frame: number | null = null;

  constructor(lossCanvas: HTMLCanvasElement, accuracyCanvas: HTMLCanvasElement, lrCanvas: HTMLCanvasElement) {
    const trio = () => [
      series('training (batches)', COLOURS.batches, true, 0),
      series('training (epoch)', COLOURS.training, true, 3),
      series('validation (test set)', COLOURS.validation, true, 3),
    ];
    this.loss = lineChart(lossCanvas, 'Loss', trio(), { type: 'linear', min: 0, max: 1.2 });
    this.accuracy = lineChart(accuracyCanvas, 'Accuracy', trio(), { type: 'linear', min: 0.5, max: 1.05 });
    this.lr = lineChart(lrCanvas, 'Learning rate', [{ ...series('learning rate', COLOURS.lr, true, 0), stepped: 'before' }], {
      type: 'logarithmic',
      ticks: { callback: roundLogTick, autoSkip: false },
    });
  }

  /** The run's preset zoom (the codelab's PlotTraining zoom: 1, 10 or 16); takes effect at the next drawing. */
  setZoom(zoom: number): void {
    this.zoom = zoom;
    this.frame ??= requestAnimationFrame(() => this.draw());
  }

  /** Clears every series. */
  reset(): void {
    this.queued = [];
    for (const chart of [this.loss, this.accuracy, this.lr]) {
      for (const dataset of chart.data.datasets) dataset.data = [];
      chart.update('none');
    }
  }

  add(record: HistoryRecord): void {
    this.queued.push(record);
    this.frame ??= requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frame = null;
    for (const record of this.queued.splice(0)) this.apply(record);
    this.rescale('loss', this.loss);
    this.rescale('accuracy', this.accuracy);
    for (const chart of [this.loss, this.accuracy, this.lr]) chart.update('none');
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
    chart.canvas.dataset.yRange = `${limits.min},${limits.max}`; // for tests and curious readers of the DOM
    const heading = chart.options.plugins?.title;
    if (heading) heading.text = title.charAt(0).toUpperCase() + title.slice(1);
  }

  private apply(record: HistoryRecord): void {
    const [lossBatches, lossEpochs, lossValidation] = this.loss.data.datasets;
    const [accuracyBatches, accuracyEpochs, accuracyValidation] = this.accuracy.data.datasets;
    const [lr] = this.lr.data.datasets;
    if (record.type === 'start') {
      this.stepsPerEpoch = Math.max(1, record.stepsPerEpoch);
      // The x axis spans the whole run from the start, so live curves grow without rescaling.
      for (const chart of [this.loss, this.accuracy, this.lr]) {
        const x = chart.options.scales?.x;
        if (x) x.max = record.epochs;
      }
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
