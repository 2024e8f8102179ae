// Prefetch for the training stream: a worker thread prepares the next batches while the current step trains.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
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
  /** Batches prepared ahead of the one handed out (default 3). */
  depth?: number;
  /** Give up when the worker delivers nothing for this long (default 60 s). */
  timeoutMs?: number;
}

/** What the worker sends per request: a batch and the stream state right after it, or why it failed. */
export type PrefetchMessage = { batch: Batch; state: BatcherSnapshot } | { error: string };

/** What the worker receives: pixels in shared memory (no copy per batch), where to start, and how to answer. */
export interface PrefetchWorkerData {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  options: TrainBatchesOptions;
  state: BatcherState;
  /** The worker answers on this port, then adds 1 to signal[0] and notifies. */
  port: MessagePort;
  signal: Int32Array;
}

/**
 * The training stream with prefetch, a drop-in for TrainBatches: `next()` returns the same batches in the same
 * order, synchronously (it takes a batch the worker already posted, waiting only if none is ready), and
 * `getState()` is the state after the last batch handed out, not after the ones prepared ahead, so resume is exact.
 * Call close() when done; an unclosed Prefetcher does not keep the process alive.
 */
export class Prefetcher {
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  private state: BatcherSnapshot;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly timeoutMs: number;
  private closed = false;
  private crash?: Error;

  constructor(set: DigitSet, options: TrainBatchesOptions, prefetch: PrefetchOptions = {}) {
    const { depth = 3, timeoutMs = 60_000 } = prefetch;
    if (!Number.isInteger(depth) || depth < 1) throw new LabError('BAD_ARGUMENT', `prefetch depth must be a positive integer; got ${depth}`);
    // Built here too so that bad options or a bad state throw now, on the caller's thread.
    const local = prefetch.state ? TrainBatches.restore(set, options, prefetch.state) : new TrainBatches(set, options);
    this.stepsPerEpoch = local.stepsPerEpoch;
    this.batchSize = local.batchSize;
    this.state = local.snapshot();
    this.timeoutMs = timeoutMs;
    const channel = new MessageChannel();
    this.port = channel.port1;
    const workerData: PrefetchWorkerData = {
      images: shared(set.images),
      labels: shared(set.labels),
      count: set.count,
      options,
      state: snapshotToState(this.state),
      port: channel.port2,
      signal: this.signal,
    };
    this.worker = startWorker(workerData, [channel.port2]);
    // Failures arrive as messages; this keeps a crash from becoming an uncaught 'error' event in the process.
    this.worker.on('error', (error) => {
      this.crash ??= error;
    });
    this.worker.unref();
    this.port.unref();
    for (let i = 0; i < depth; i++) this.port.postMessage('next');
  }

  /** The next batch; the worker starts preparing another in its place. */
  next(): Batch {
    if (this.closed) throw new LabError('BAD_ARGUMENT', 'Prefetcher.next() called after close()');
    if (this.crash) throw new LabError('WORKER_FAILED', `the prefetch worker crashed: ${this.crash.message}`, { exitCode: 1 });
    const message = this.receive();
    if ('error' in message) {
      throw new LabError('WORKER_FAILED', `the prefetch worker failed: ${message.error}`, { exitCode: 1 });
    }
    this.state = message.state;
    this.port.postMessage('next');
    return message.batch;
  }

  /** State after the last batch handed out by next(). */
  getState(): BatcherState {
    return snapshotToState(this.state);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    await this.worker.terminate();
  }

  /** Takes the next posted message, blocking on the shared signal until the worker posts one. */
  private receive(): PrefetchMessage {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) return received.message as PrefetchMessage;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out') {
        throw new LabError('WORKER_FAILED', `the prefetch worker sent no batch for ${this.timeoutMs} ms`, {
          hint: 'the machine may be overloaded (other trainings on its cores?), or the worker thread could not start (rebuild a damaged installation with `npm run build`); run the command again',
          exitCode: 1,
        });
      }
    }
  }
}

/** Copies a view into shared memory so the worker reads the same pixels without a per-batch copy. */
function shared(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
}

/** The worker entry beside this module: compiled .js, or .ts (loaded through tsx) when running from source. */
function startWorker(workerData: PrefetchWorkerData, transferList: MessagePort[]): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./prefetch-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry, { workerData, transferList });
  // Runs from source (tests, tsx): register tsx in the worker; a load failure is reported like any worker failure.
  const loader = `
    const { workerData } = require('node:worker_threads');
    import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })
      .catch((error) => {
        workerData.port.postMessage({ error: String(error && error.stack || error) });
        Atomics.add(workerData.signal, 0, 1);
        Atomics.notify(workerData.signal, 0);
      });`;
  return new Worker(loader, { eval: true, workerData, transferList });
}
