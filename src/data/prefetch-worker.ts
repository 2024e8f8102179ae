// Worker thread of the Prefetcher: runs a TrainBatches over shared pixels and sends each batch with the state after it.
import { parentPort, workerData } from 'node:worker_threads';
import { TrainBatches } from './pipeline.js';
import type { PrefetchWorkerData, PreparedBatch } from './prefetch.js';

const { images, labels, count, options, state } = workerData as PrefetchWorkerData;
const batches = TrainBatches.restore({ images, labels, count }, options, state);
const port = parentPort;
if (port === null) throw new Error('prefetch-worker.ts runs only as a worker thread (see prefetch.ts)');

port.on('message', () => {
  const batch = batches.next();
  const prepared: PreparedBatch = { batch, state: batches.snapshot() };
  const transfer = [batch.xs.buffer, batch.labels.buffer, prepared.state.buffer.buffer] as ArrayBuffer[];
  port.postMessage(prepared, transfer);
});
