// What `mnist-lab` is in the worker until the public API's browser build lands: the dataset and a training callback.
import * as tf from '@tensorflow/tfjs';
import { PIXELS, type Dataset, type DatasetName, type DigitSet } from '../../../../src/data/types.js';
import type { HistoryRecord } from '../../../../src/run/schema.js';
import type { WorkerMessage } from '../protocol.js';
import type { RunControl } from './run-control.js';

/** What the worker gives one run's lab module. */
export interface LabHost {
  control: RunControl;
  file: string;
  post: (message: WorkerMessage) => void;
  /** The whole dataset, loaded once per worker. */
  dataset: (name: DatasetName) => Promise<Dataset>;
}

const firstDigits = (set: DigitSet, limit: number | undefined): DigitSet => {
  const count = Math.min(set.count, limit ?? set.count);
  return { images: set.images.subarray(0, count * PIXELS), labels: set.labels.subarray(0, count), count };
};

/**
 * A tf.Callback subclass (unlike tf.CustomCallback) gets the batch's scalars as tensors: read them and put the
 * numbers in their place, disposing the tensors, as TF.js does for its own callbacks. The read is a sync point.
 */
async function resolveLogs(logs: tf.Logs | undefined): Promise<void> {
  if (logs === undefined) return;
  const unresolved = logs as unknown as Record<string, number | tf.Scalar>;
  for (const [key, value] of Object.entries(unresolved)) {
    if (typeof value === 'number') continue;
    logs[key] = (await value.data())[0];
    value.dispose();
  }
}

/** Keras logs accuracy as `acc` in TF.js and `accuracy` in Python; either is read. */
const accuracyOf = (logs: tf.Logs | undefined, prefix = ''): number => logs?.[`${prefix}acc`] ?? logs?.[`${prefix}accuracy`] ?? NaN;

/** Streams a fit's history records to the page (the records of a run folder's history.jsonl) and obeys Pause/Stop. */
class PageCallback extends tf.Callback {
  private stepsPerEpoch = 1;
  private epochStart = 0;
  private epochsDone = 0;

  constructor(private readonly host: LabHost) {
    super();
  }

  private send(record: HistoryRecord): void {
    this.host.post({ type: 'record', runId: this.host.control.runId, record, numTensors: tf.memory().numTensors });
  }

  private learningRate(): number {
    return (this.model.optimizer as unknown as { learningRate?: number }).learningRate ?? NaN;
  }

  override async onTrainBegin(): Promise<void> {
    const { epochs, initialEpoch, samples, steps, batchSize } = this.params as Record<string, number | undefined>;
    this.stepsPerEpoch = steps ?? Math.ceil((samples ?? 0) / (batchSize ?? 32));
    this.send({
      type: 'start',
      time: new Date().toISOString(),
      step: this.host.file,
      epochs: epochs ?? 1,
      stepsPerEpoch: this.stepsPerEpoch,
      batchSize: batchSize ?? 32,
      engine: `tfjs-${tf.getBackend()}`,
      initialEpoch: initialEpoch ?? 0,
      optimizer: '',
      loss: '',
      lr: [],
      zoom: 1,
      xTitle: 'epochs',
    });
  }

  override async onEpochBegin(): Promise<void> {
    this.epochStart = performance.now();
  }

  override async onBatchEnd(batch: number, logs?: tf.Logs): Promise<void> {
    await resolveLogs(logs);
    const epoch = this.epochsDone;
    this.send({
      type: 'batch',
      epoch,
      step: batch,
      globalStep: epoch * this.stepsPerEpoch + batch,
      loss: logs?.loss ?? NaN,
      accuracy: accuracyOf(logs),
      lr: this.learningRate(),
    });
    if (await this.host.control.checkpoint()) this.model.stopTraining = true;
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    await resolveLogs(logs);
    this.epochsDone = epoch + 1;
    this.send({
      type: 'epoch',
      epoch,
      loss: logs?.loss ?? NaN,
      accuracy: accuracyOf(logs),
      val_loss: logs?.val_loss ?? NaN,
      val_accuracy: accuracyOf(logs, 'val_'),
      lr: this.learningRate(),
      seconds: (performance.now() - this.epochStart) / 1000,
    });
  }

  override async onTrainEnd(): Promise<void> {
    this.send({ type: 'end', time: new Date().toISOString(), status: this.host.control.stopping ? 'interrupted' : 'completed' });
  }
}

/** The `mnist-lab` module one run sees. */
export function labModule(host: LabHost) {
  return {
    /** The first `limit` training and `testLimit` test digits of `name` (default all), as raw 0-255 bytes. */
    async loadDataset(name: DatasetName = 'mnist', options: { limit?: number; testLimit?: number } = {}): Promise<Dataset> {
      const data = await host.dataset(name);
      return { ...data, train: firstDigits(data.train, options.limit), test: firstDigits(data.test, options.testLimit) };
    },
    /** A callback for `model.fit`: live curves in the page, and the page's Pause and Stop. */
    pageCallback: (): tf.Callback => new PageCallback(host),
  };
}
