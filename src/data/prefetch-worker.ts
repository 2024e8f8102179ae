// Worker thread of the Prefetcher: runs a TrainBatches over shared pixels and posts each batch with the state after it.
import { workerData } from 'node:worker_threads';
import { TrainBatches } from './pipeline.js';
import type { PrefetchMessage, PrefetchWorkerData } from './prefetch.js';

const { images, labels, count, options, state, port, signal } = workerData as PrefetchWorkerData;
let batches: TrainBatches | undefined;

/** Posts a message, then wakes the main thread if it is blocked waiting for one. */
function send(message: PrefetchMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

port.on('message', () => {
  try {
    batches ??= TrainBatches.restore({ images, labels, count }, options, state);
    const batch = batches.next();
    const snapshot = batches.snapshot();
    send({ batch, state: snapshot }, [batch.xs.buffer, batch.labels.buffer, snapshot.buffer.buffer] as ArrayBuffer[]);
  } catch (error) {
    send({ error: error instanceof Error ? error.message : String(error) });
  }
});
