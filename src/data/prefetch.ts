// Prefetch for the training stream: batches are prepared ahead (in a worker thread by default) while a step trains.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LabError } from '../errors.js';
import {
  snapshotToState,
  TrainBatches,
  type Batch,
  type BatcherSnapshot,
  type BatcherState,
  type TrainBatchesOptions,
} from './pipeline.js';
import type { DigitSet } from './types.js';

export interface PrefetchOptions {
  /** Continue from a state saved by getState() (resume). */
  state?: BatcherState;
  /** Batches prepared ahead of the one handed out (default 2). */
  depth?: number;
  /** Prepare batches in a worker thread (default) or on the main thread between awaits. */
  worker?: boolean;
}

/** A batch and the stream state right after it, as the producer sends them. */
export interface PreparedBatch {
  batch: Batch;
  state: BatcherSnapshot;
}

/** What the worker receives: the pixels in shared memory (no copy per batch) and where to start. */
export interface PrefetchWorkerData {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  options: TrainBatchesOptions;
  state: BatcherState;
}

/** Makes one PreparedBatch per request, in order, delivered through the callbacks given at creation. */
interface Producer {
  request(): void;
  /** Whether the producer keeps the process alive while a request is open (worker threads). */
  hold(busy: boolean): void;
  close(): Promise<void>;
}

interface Delivery {
  deliver(prepared: PreparedBatch): void;
  fail(error: Error): void;
}

/**
 * The training stream with prefetch. `next()` resolves to the same batches, in the same order, as
 * TrainBatches.next() with the same options; `getState()` is the state after the last batch handed out (not after
 * the ones prepared ahead), so a resumed run continues exactly.
 */
export class Prefetcher {
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  private readonly ready: PreparedBatch[] = [];
  private readonly waiting: { resolve: (batch: Batch) => void; reject: (error: Error) => void }[] = [];
  private state: BatcherSnapshot;
  private failure?: Error;
  private closed = false;
  private readonly producer: Producer;

  constructor(set: DigitSet, options: TrainBatchesOptions, prefetch: PrefetchOptions = {}) {
    const { depth = 2, worker = true } = prefetch;
    if (!Number.isInteger(depth) || depth < 1) throw new LabError('BAD_ARGUMENT', `prefetch depth must be a positive integer; got ${depth}`);
    // Built here too so bad options or a bad state throw now, on the caller's thread.
    const local = prefetch.state ? TrainBatches.restore(set, options, prefetch.state) : new TrainBatches(set, options);
    this.stepsPerEpoch = local.stepsPerEpoch;
    this.batchSize = local.batchSize;
    this.state = local.snapshot();
    const delivery: Delivery = {
      deliver: (prepared) => this.onPrepared(prepared),
      fail: (error) => this.onFailure(error),
    };
    this.producer = worker ? workerProducer(set, options, this.state, delivery) : inlineProducer(local, delivery);
    for (let i = 0; i < depth; i++) this.producer.request();
  }

  /** The next batch; prepares another one in its place. */
  next(): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new LabError('BAD_ARGUMENT', 'Prefetcher.next() called after close()'));
    const prepared = this.ready.shift();
    if (prepared !== undefined) return Promise.resolve(this.handOut(prepared));
    this.producer.hold(true);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** State after the last batch handed out by next(). */
  getState(): BatcherState {
    return snapshotToState(this.state);
  }

  /** Stops the worker; a next() still waiting rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new LabError('BAD_ARGUMENT', 'the Prefetcher was closed while a batch was awaited');
    for (const waiter of this.waiting.splice(0)) waiter.reject(closedError);
    await this.producer.close();
  }

  private handOut(prepared: PreparedBatch): Batch {
    this.state = prepared.state;
    this.producer.request();
    return prepared.batch;
  }

  private onPrepared(prepared: PreparedBatch): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter === undefined) {
      this.ready.push(prepared);
    } else {
      waiter.resolve(this.handOut(prepared));
    }
    if (this.waiting.length === 0) this.producer.hold(false);
  }

  private onFailure(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
    this.producer.hold(false);
  }
}

/** Prepares batches on the main thread, each in its own macrotask so a caller's await lets it run. */
function inlineProducer(batches: TrainBatches, delivery: Delivery): Producer {
  let closed = false;
  return {
    request: () =>
      setImmediate(() => {
        if (closed) return;
        try {
          const batch = batches.next();
          delivery.deliver({ batch, state: batches.snapshot() });
        } catch (error) {
          delivery.fail(error as Error);
        }
      }),
    hold: () => undefined,
    close: async () => {
      closed = true;
    },
  };
}

/** Copies a view into shared memory so the worker reads the same pixels without a per-batch copy. */
function shared(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
}

/** The worker entry beside this module: compiled .js, or .ts (loaded through tsx) when running from source. */
function startWorker(workerData: PrefetchWorkerData): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./prefetch-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry, { workerData });
  const loader = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(loader, { eval: true, workerData });
}

/** Prepares batches in a worker thread holding the pixels in shared memory; batches come back transferred. */
function workerProducer(set: DigitSet, options: TrainBatchesOptions, state: BatcherSnapshot, delivery: Delivery): Producer {
  const worker = startWorker({
    images: shared(set.images),
    labels: shared(set.labels),
    count: set.count,
    options,
    state: snapshotToState(state),
  });
  let closed = false;
  worker.on('message', (prepared: PreparedBatch) => delivery.deliver(prepared));
  worker.on('error', (error) => delivery.fail(error));
  worker.on('exit', (code) => {
    if (!closed) delivery.fail(new LabError('WORKER_FAILED', `the prefetch worker stopped (exit code ${code})`, { exitCode: 1 }));
  });
  worker.unref();
  return {
    request: () => worker.postMessage('next'),
    hold: (busy) => {
      if (closed) return;
      if (busy) worker.ref();
      else worker.unref();
    },
    close: async () => {
      closed = true;
      // Batches still in flight arrive during terminate(); the worker stays ref'd so the process waits for it.
      worker.ref();
      await worker.terminate();
    },
  };
}
