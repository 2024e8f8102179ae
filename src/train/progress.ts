// Keras-style console output: a live progress bar with ETA on a TTY, plain per-epoch lines otherwise.
import type { EpochRecord } from '../run/schema.js';
import type { TextOut } from '../util/text-out.js';

const BAR_WIDTH = 30;

export interface ProgressOptions {
  stream: TextOut & { isTTY?: boolean };
  /** Force the live bar on or off (default: on when the stream is a TTY). */
  live?: boolean;
}

export class Progress {
  private readonly stream: ProgressOptions['stream'];
  private readonly live: boolean;
  private epochStart = 0;
  private lastDraw = 0;

  constructor(opts: ProgressOptions) {
    this.stream = opts.stream;
    this.live = opts.live ?? Boolean(opts.stream.isTTY);
  }

  line(text: string): void {
    this.stream.write(`${text}\n`);
  }

  startEpoch(epoch: number, epochs: number): void {
    this.epochStart = performance.now();
    this.line(`Epoch ${epoch + 1}/${epochs}`);
  }

  /** Redraws the bar at most ~10 times a second. */
  step(done: number, total: number, loss: number, accuracy: number, lr: number): void {
    if (!this.live) return;
    const now = performance.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
    this.stream.write(
      `\r${bar(done, total)} - ETA: ${formatSeconds(eta)} - loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)} - lr: ${formatLr(lr)}\x1b[K`,
    );
  }

  endEpoch(record: EpochRecord, steps: number): void {
    const perStep = (record.seconds * 1000) / Math.max(steps, 1);
    const text =
      `${bar(steps, steps)} - ${Math.round(record.seconds)}s ${Math.round(perStep)}ms/step - loss: ${record.loss.toFixed(4)} - ` +
      `accuracy: ${record.accuracy.toFixed(4)} - val_loss: ${record.val_loss.toFixed(4)} - val_accuracy: ${record.val_accuracy.toFixed(4)} - lr: ${formatLr(record.lr)}`;
    this.stream.write(this.live ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}

function bar(done: number, total: number): string {
  const width = String(total).length;
  const filled = total > 0 ? Math.floor((done / total) * BAR_WIDTH) : BAR_WIDTH;
  const body = done >= total ? '='.repeat(BAR_WIDTH) : `${'='.repeat(Math.max(filled - 1, 0))}>${'.'.repeat(BAR_WIDTH - Math.max(filled, 1))}`;
  return `${String(done).padStart(width)}/${total} [${body}]`;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

/** Learning rates as Keras prints them: 0.01, 0.006, 0.00010077696. */
export function formatLr(lr: number): string {
  return Number(lr.toPrecision(5)).toString();
}
