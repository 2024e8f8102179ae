// The records of a run folder's history.jsonl: one JSON object a line, appended as training goes.

export interface StartRecord {
  type: 'start';
  time: string;
  preset: string;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  backend: string;
  /** Epoch training starts at (non-zero when resumed). */
  initialEpoch: number;
}

/** A training-batch sample, written every `sampleEvery` batches (the codelab plots every 10th). */
export interface BatchRecord {
  type: 'batch';
  epoch: number;
  /** Batch index within the epoch, 0-based. */
  step: number;
  globalStep: number;
  loss: number;
  accuracy: number;
  lr: number;
}

/** End of an epoch; val_* are measured on the 10k test set, as the codelab does. */
export interface EpochRecord {
  type: 'epoch';
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  lr: number;
  seconds: number;
}

/**
 * How the weights are spread after `epoch` epochs (0: before training), as the codelab's old desktop dashboard
 * plots them: the 8 boundaries (min … max) of 7 equal-population buckets of all kernel weights, and of all
 * biases (batch-norm offsets included).
 */
export interface WeightsRecord {
  type: 'weights';
  epoch: number;
  weights: number[];
  biases: number[];
}

export interface EndRecord {
  type: 'end';
  time: string;
  /** 'failed': training threw (the error says why); written on a best-effort basis. */
  status: 'completed' | 'interrupted' | 'failed';
  error?: string;
}

export type HistoryRecord = StartRecord | BatchRecord | EpochRecord | WeightsRecord | EndRecord;

/** Parses history.jsonl text; a torn last line (training still writing) is skipped. */
export function parseHistory(text: string): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as HistoryRecord);
    } catch {
      // a partially written final line
    }
  }
  return records;
}
