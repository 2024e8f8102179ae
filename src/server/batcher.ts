// Micro-batching: predict requests that arrive within a short window share one model call.
import { PIXELS } from '../data/types.js';
import type { Predictions } from '../predict/predict.js';

export interface BatcherOptions {
  /** How long the first request of a batch waits for others to join, in ms. */
  windowMs: number;
  /** A batch is sent as soon as it holds this many images. */
  maxBatch: number;
}

export interface BatcherStats {
  /** Model calls made. */
  calls: number;
  /** Images predicted. */
  images: number;
  /** Requests served. */
  requests: number;
}

interface Pending {
  images: Float32Array;
  count: number;
  resolve(result: Predictions): void;
  reject(error: unknown): void;
}

export class PredictionBatcher {
  private queue: Pending[] = [];
  private queuedImages = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly stats: BatcherStats = { calls: 0, images: 0, requests: 0 };

  constructor(
    private readonly predict: (images: Float32Array, count: number) => Predictions,
    private readonly options: BatcherOptions,
  ) {}

  /** Queues images (count × 784) and resolves with their predictions once their batch has run. */
  submit(images: Float32Array, count: number): Promise<Predictions> {
    return new Promise((resolve, reject) => {
      this.queue.push({ images, count, resolve, reject });
      this.queuedImages += count;
      if (this.queuedImages >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    const total = this.queuedImages;
    this.queue = [];
    this.queuedImages = 0;
    if (batch.length === 0) return;
    let result: Predictions;
    try {
      result = this.predict(joinImages(batch, total), total);
    } catch (error) {
      for (const request of batch) request.reject(error);
      return;
    }
    this.stats.calls += 1;
    this.stats.images += total;
    this.stats.requests += batch.length;
    let offset = 0;
    for (const request of batch) {
      const end = offset + request.count;
      request.resolve({
        classes: result.classes.slice(offset, end),
        probabilities: result.probabilities.slice(offset, end),
      });
      offset = end;
    }
  }
}

function joinImages(batch: Pending[], total: number): Float32Array {
  if (batch.length === 1) return batch[0].images;
  const joined = new Float32Array(total * PIXELS);
  let offset = 0;
  for (const request of batch) {
    joined.set(request.images.subarray(0, request.count * PIXELS), offset);
    offset += request.count * PIXELS;
  }
  return joined;
}
