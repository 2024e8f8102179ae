// History: what fit returns, Keras's shape (per-epoch lists of loss, accuracy, val_loss, val_accuracy, lr).
import type { EpochRecord } from '../run/schema.js';

/** Keras's `history.history`: one value per epoch of each metric, validation and learning rate. */
export interface HistoryLogs {
  loss: number[];
  accuracy: number[];
  val_loss: number[];
  val_accuracy: number[];
  lr: number[];
}

/** Keras's History object: `history.history.val_accuracy.at(-1)` is the last epoch's validation accuracy. */
export class History {
  private constructor(
    /** The 0-based epochs this fit trained. */
    readonly epoch: number[],
    readonly history: HistoryLogs,
  ) {}

  static fromEpochs(records: readonly EpochRecord[]): History {
    const pick = (key: keyof HistoryLogs) => records.map((r) => r[key]);
    return new History(
      records.map((r) => r.epoch),
      { loss: pick('loss'), accuracy: pick('accuracy'), val_loss: pick('val_loss'), val_accuracy: pick('val_accuracy'), lr: pick('lr') },
    );
  }
}
