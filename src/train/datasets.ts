// The codelab's two datasets as values a lab file passes to fit: the training stream and the validation set.
import { augmentSettings, type AugmentOptions, type AugmentSettings } from '../data/augment.js';
import { DEFAULT_SHUFFLE_BUFFER } from '../data/pipeline.js';
import type { LabelFormat } from '../engine/types.js';
import { badArgument } from '../errors.js';

/** What `trainingDataset` takes: the batch size, and optionally the shuffle buffer, the label format and augmentation. */
export interface TrainingDatasetOptions {
  /** Digits per batch (BATCH_SIZE); `--batch-size` overrides it. */
  batchSize: number;
  /** tf.data's shuffle buffer: the codelab's 5000. */
  shuffleBuffer?: number;
  /** How the labels reach the loss: one-hot rows (categorical cross-entropy, the codelab's) or class ids (sparse). */
  labels?: LabelFormat;
  /** Random shifts (pixels), rotations (degrees) and scalings (fraction) of each training digit, seeded; off by default. */
  augment?: AugmentOptions;
}

/**
 * The codelab's get_training_dataset: the 60,000 training digits (pixels / 256) cached in memory, shuffled through a
 * 5,000-digit buffer reshuffled each pass, repeated, batched with drop_remainder, and prefetched; with `augment`,
 * each training digit is randomly moved on the way (never the test digits). Nothing is loaded until fit runs.
 */
export class TrainingDataset {
  readonly batchSize: number;
  readonly shuffleBuffer: number;
  readonly labels: LabelFormat;
  readonly augment: AugmentSettings;

  constructor(options: TrainingDatasetOptions) {
    const { batchSize, shuffleBuffer = DEFAULT_SHUFFLE_BUFFER, labels = 'one-hot' } = options;
    this.augment = augmentSettings(options.augment);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw badArgument('trainingDataset batchSize', 'a positive integer', batchSize);
    if (!Number.isInteger(shuffleBuffer) || shuffleBuffer < 1) throw badArgument('trainingDataset shuffleBuffer', 'a positive integer', shuffleBuffer);
    this.batchSize = batchSize;
    this.shuffleBuffer = shuffleBuffer;
    this.labels = labels;
  }
}

/** The codelab's get_validation_dataset: the 10,000 test digits as one batch (what it calls validation). */
export class ValidationDataset {
  readonly labels: LabelFormat;
  constructor(options: { labels?: LabelFormat } = {}) {
    this.labels = options.labels ?? 'one-hot';
  }
}

/** The training stream, as the codelab builds it (cache · shuffle(5000) · repeat · batch · prefetch). */
export const trainingDataset = (options: TrainingDatasetOptions): TrainingDataset => new TrainingDataset(options);

/** The 10k test set as one validation batch. */
export const validationDataset = (options?: { labels?: LabelFormat }): ValidationDataset => new ValidationDataset(options);
