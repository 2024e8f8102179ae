// The codelab's tf.data pipeline: cache · shuffle(5000, reshuffled each pass) · repeat · augment · batch(drop_remainder), resumable.
import { z } from 'zod';
import { badArgument } from '../errors.js';
import { Rng, type RngState } from '../util/rng.js';
import { augmentSettings, drawTransform, isAugmenting, NO_AUGMENT, warpDigit, type AugmentOptions, type AugmentSettings, type DigitTransform } from './augment.js';
import { NUM_CLASSES, PIXELS, type DigitSet } from './types.js';
import { PIXEL_SCALE } from './scale.js';

/** One batch ready for a model: pixels / 256 as the codelab scales them, and the raw labels. */
export interface Batch {
  /** size × 784 floats, pixel / 256, row-major. */
  xs: Float32Array;
  /** size labels, 0-9. */
  labels: Uint8Array;
  size: number;
}

export interface TrainBatchesOptions {
  batchSize: number;
  /** tf.data shuffle buffer size; the codelab uses 5000. */
  shuffleBuffer?: number;
  /** Seeds the shuffle and the augmentation (two separate streams); same seed, same batches. */
  seed: number;
  /** Random shifts, rotations and scalings of the training digits; off by default. */
  augment?: AugmentOptions;
}

export const DEFAULT_SHUFFLE_BUFFER = 5000;

const rngStateSchema = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]);

/** Version 1 (before augmentation): read as a state with augmentation off. */
const batcherStateV1Schema = z.object({
  version: z.literal(1),
  /** Digits in the set, batch size and buffer size the state belongs to (checked on restore). */
  count: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  shuffleBuffer: z.number().int().positive(),
  rng: rngStateSchema,
  /** Pass over the data (epoch of the repeated stream) being shuffled, from 0. */
  pass: z.number().int().nonnegative(),
  /** Index of the next digit of this pass to enter the buffer. */
  nextInput: z.number().int().nonnegative(),
  /** Digit indices in the shuffle buffer, in slot order. */
  buffer: z.array(z.number().int().nonnegative()),
  /** Batches handed out so far. */
  batches: z.number().int().nonnegative(),
});

const batcherStateSchema = batcherStateV1Schema.extend({
  version: z.literal(2),
  /** Augmentation the state belongs to (checked on restore). */
  augment: z.object({ shift: z.number(), rotate: z.number(), scale: z.number() }).strict(),
  /** The augmentation's own RNG, apart from the shuffle's so that augmenting leaves the order unchanged. */
  augmentRng: rngStateSchema,
});

/** Everything needed to continue a TrainBatches exactly where it stopped; plain JSON. */
export type BatcherState = z.infer<typeof batcherStateSchema>;

/** Mixed into the seed of the augmentation RNG, so that its stream differs from the shuffle's. */
const AUGMENT_STREAM = 0x41756721;

/** A BatcherState whose buffer is still a typed array: cheap to take after every batch and to post to a thread. */
export type BatcherSnapshot = Omit<BatcherState, 'buffer'> & { buffer: Int32Array };

/** The JSON form of a snapshot. */
export const snapshotToState = (snapshot: BatcherSnapshot): BatcherState => ({
  ...snapshot,
  buffer: Array.from(snapshot.buffer),
});

/** Which digits a batch holds, in order, and the random transform of each (null: none). */
export interface BatchPlan {
  indices: Int32Array;
  transforms: DigitTransform[] | null;
}

/** Copies the digits at `indices` of `set` into a new Batch, each transformed as `transforms` says. */
function gatherBatch(set: DigitSet, indices: ArrayLike<number>, transforms: readonly DigitTransform[] | null = null): Batch {
  const size = indices.length;
  const xs = new Float32Array(size * PIXELS);
  const labels = new Uint8Array(size);
  const { images } = set;
  for (let k = 0; k < size; k++) {
    const index = indices[k];
    const src = index * PIXELS;
    const dst = k * PIXELS;
    if (transforms) warpDigit(images, src, transforms[k], xs, dst, PIXEL_SCALE);
    else for (let p = 0; p < PIXELS; p++) xs[dst + p] = images[src + p] * PIXEL_SCALE;
    labels[k] = set.labels[index];
  }
  return { xs, labels, size };
}

/** `count` digits from `start` in order, as one batch (the codelab's single 10k validation batch). */
export function toBatch(set: DigitSet, start: number, count: number): Batch {
  if (!Number.isInteger(start) || start < 0 || start > set.count) {
    throw badArgument('start', `an integer in 0-${set.count}`, start);
  }
  if (!Number.isInteger(count) || count < 0 || start + count > set.count) {
    throw badArgument('count', `an integer in 0-${set.count - start} (digits from ${start} to the end)`, count);
  }
  return gatherBatch(set, Array.from({ length: count }, (_, k) => start + k));
}

/** One-hot rows (labels.length × classes) of 0/1 floats. */
export function oneHot(labels: Uint8Array, classes = NUM_CLASSES): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((label, i) => {
    if (label >= classes) throw badArgument(`labels[${i}]`, `below ${classes}`, label);
    out[i * classes + label] = 1;
  });
  return out;
}

function checkOptions(set: DigitSet, options: TrainBatchesOptions): Omit<Required<TrainBatchesOptions>, 'augment'> & { augment: AugmentSettings } {
  const { batchSize, shuffleBuffer = DEFAULT_SHUFFLE_BUFFER, seed } = options;
  if (set.count < 1) throw badArgument('training set', 'non-empty', set.count, 'check --limit and the data folder');
  if (set.images.length !== set.count * PIXELS || set.labels.length !== set.count) {
    throw badArgument('training set', `${set.count} × ${PIXELS} pixels and ${set.count} labels`, {
      pixels: set.images.length,
      labels: set.labels.length,
    });
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > set.count) {
    throw badArgument('--batch-size', `an integer in 1-${set.count} (the training digits)`, batchSize);
  }
  if (!Number.isInteger(shuffleBuffer) || shuffleBuffer < 1) {
    throw badArgument('shuffle buffer', 'a positive integer', shuffleBuffer);
  }
  if (!Number.isInteger(seed)) throw badArgument('--seed', 'an integer', seed);
  return { batchSize, shuffleBuffer, seed, augment: augmentSettings(options.augment) };
}

/**
 * The training stream. Like tf.data's shuffle: the buffer fills with the next digits of the pass, each output is a
 * random slot, refilled with the next digit (or, once the pass is exhausted, with the last slot). Passes repeat
 * forever, each reshuffled by the continuing RNG; batching comes after repeat, so a batch may straddle two passes
 * and every batch is full (drop_remainder). With `augment`, each digit handed out is randomly transformed
 * (src/data/augment.ts) from a second RNG, so the order is the same with augmentation on or off.
 */
export class TrainBatches {
  readonly batchSize: number;
  /** Full batches per pass over the set: floor(count / batchSize), as Keras counts steps per epoch. */
  readonly stepsPerEpoch: number;
  private readonly shuffleBuffer: number;
  private readonly rng: Rng;
  private readonly augment: AugmentSettings;
  private readonly augmentRng: Rng;
  private readonly buffer: Int32Array;
  private bufferLength = 0;
  private pass = 0;
  private nextInput = 0;
  private batches = 0;

  constructor(
    private readonly set: DigitSet,
    options: TrainBatchesOptions,
  ) {
    const checked = checkOptions(set, options);
    this.batchSize = checked.batchSize;
    this.shuffleBuffer = checked.shuffleBuffer;
    this.stepsPerEpoch = Math.floor(set.count / checked.batchSize);
    this.rng = new Rng(checked.seed);
    this.augment = checked.augment;
    this.augmentRng = new Rng(checked.seed ^ AUGMENT_STREAM);
    this.buffer = new Int32Array(Math.min(checked.shuffleBuffer, set.count));
  }

  /**
   * A TrainBatches that continues exactly after the batch at which `state` was taken. States of version 1
   * (saved before augmentation existed) are read as states with augmentation off.
   */
  static restore(set: DigitSet, options: TrainBatchesOptions, state: unknown): TrainBatches {
    const parsed = z.union([batcherStateSchema, batcherStateV1Schema]).safeParse(state);
    if (!parsed.success) throw badArgument('batcher state', 'a state saved by TrainBatches.getState()', parsed.error.message);
    const batcher = new TrainBatches(set, options);
    const s: BatcherState =
      parsed.data.version === 2 ? parsed.data : { ...parsed.data, version: 2, augment: NO_AUGMENT, augmentRng: batcher.augmentRng.getState() };
    const expected = { count: set.count, batchSize: batcher.batchSize, shuffleBuffer: batcher.shuffleBuffer };
    for (const [key, value] of Object.entries(expected)) {
      const saved = s[key as keyof typeof expected];
      if (saved !== value) {
        throw badArgument(`batcher state ${key}`, `${value} as in this run`, saved, 'resume with the same data, --limit and --batch-size');
      }
    }
    for (const [key, value] of Object.entries(batcher.augment)) {
      const saved = s.augment[key as keyof AugmentSettings];
      if (saved !== value) {
        throw badArgument(`batcher state augment.${key}`, `${value} as in this run`, saved, 'resume with the same augmentation');
      }
    }
    if (s.nextInput > s.count || s.buffer.length > batcher.buffer.length || s.buffer.some((i) => i >= s.count)) {
      throw badArgument('batcher state', `positions within ${s.count} digits and at most ${batcher.buffer.length} buffered`, {
        nextInput: s.nextInput,
        buffered: s.buffer.length,
      });
    }
    batcher.rng.setState(s.rng as RngState);
    batcher.augmentRng.setState(s.augmentRng as RngState);
    batcher.buffer.set(s.buffer);
    batcher.bufferLength = s.buffer.length;
    batcher.pass = s.pass;
    batcher.nextInput = s.nextInput;
    batcher.batches = s.batches;
    return batcher;
  }

  /** Pass (0-based) the stream is in, i.e. how many times the whole set has been shuffled through before. */
  get currentPass(): number {
    return this.pass;
  }

  /** Batches handed out so far. */
  get batchesServed(): number {
    return this.batches;
  }

  /**
   * The next batch's plan without its pixels: the batchSize digit indices of the shuffled, repeated stream and, with
   * augmentation, each digit's transform. It advances the stream exactly as next() does (which gathers this plan).
   */
  nextPlan(): BatchPlan {
    const indices = new Int32Array(this.batchSize);
    for (let k = 0; k < this.batchSize; k++) indices[k] = this.nextIndex();
    this.batches++;
    const transforms = isAugmenting(this.augment) ? Array.from(indices, () => drawTransform(this.augmentRng, this.augment)) : null;
    return { indices, transforms };
  }

  /** The next full batch. */
  next(): Batch {
    const { indices, transforms } = this.nextPlan();
    return gatherBatch(this.set, indices, transforms);
  }

  getState(): BatcherState {
    return snapshotToState(this.snapshot());
  }

  /** getState() with the buffer left as a typed array copy. */
  snapshot(): BatcherSnapshot {
    return {
      version: 2,
      count: this.set.count,
      batchSize: this.batchSize,
      shuffleBuffer: this.shuffleBuffer,
      augment: { ...this.augment },
      rng: this.rng.getState(),
      augmentRng: this.augmentRng.getState(),
      pass: this.pass,
      nextInput: this.nextInput,
      buffer: this.buffer.slice(0, this.bufferLength),
      batches: this.batches,
    };
  }

  private nextIndex(): number {
    if (this.bufferLength === 0 && this.nextInput === this.set.count) {
      this.pass++;
      this.nextInput = 0;
    }
    while (this.bufferLength < this.buffer.length && this.nextInput < this.set.count) {
      this.buffer[this.bufferLength++] = this.nextInput++;
    }
    const slot = this.rng.int(this.bufferLength);
    const index = this.buffer[slot];
    if (this.nextInput < this.set.count) {
      this.buffer[slot] = this.nextInput++;
    } else {
      this.buffer[slot] = this.buffer[--this.bufferLength];
    }
    return index;
  }
}
