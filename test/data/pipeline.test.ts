// The training stream keeps tf.data's semantics: each digit once per pass, shuffle-buffer behaviour, full batches,
// seeded order, and exact continuation from a saved state.
import { describe, expect, it } from 'vitest';
import { augmentSettings, drawTransform, warpDigit } from '../../src/data/augment.js';
import { oneHot, toBatch, TrainBatches, type Batch } from '../../src/data/pipeline.js';
import { PIXELS, type DigitSet } from '../../src/data/types.js';
import { Rng, type RngState } from '../../src/util/rng.js';
import { decodeIndex, indexedDigits } from '../helpers/digit-files.js';

const indicesOf = (batch: Batch): number[] => Array.from({ length: batch.size }, (_, k) => decodeIndex(batch.xs, k));

/** The first n digit indices of the stream, batch after batch. */
function stream(batches: TrainBatches, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) out.push(...indicesOf(batches.next()));
  return out.slice(0, n);
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('TrainBatches', () => {
  const set = indexedDigits(103);

  it('hands out every digit exactly once per pass, over several passes', () => {
    const batches = new TrainBatches(set, { batchSize: 10, shuffleBuffer: 20, seed: 1 });
    const all = stream(batches, 103 * 4);
    for (let pass = 0; pass < 4; pass++) expect(sorted(all.slice(pass * 103, (pass + 1) * 103))).toEqual(range(103));
    expect(all.slice(0, 103)).not.toEqual(all.slice(103, 206)); // reshuffled each pass
  });

  it('keeps pixels / 256 and the labels of each digit', () => {
    const batch = new TrainBatches(set, { batchSize: 7, seed: 3 }).next();
    expect(batch.size).toBe(7);
    expect(batch.xs.length).toBe(7 * PIXELS);
    for (let k = 0; k < batch.size; k++) {
      const i = decodeIndex(batch.xs, k);
      expect(batch.labels[k]).toBe(set.labels[i]);
      for (const p of [0, 100, 783]) expect(batch.xs[k * PIXELS + p]).toBe(set.images[i * PIXELS + p] / 256);
    }
  });

  it('follows a plain-loop tf.data shuffle reference drawing from the same seeded Rng', () => {
    const [count, capacity, seed] = [103, 16, 77];
    const rng = new Rng(seed);
    const reference: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const buffer: number[] = [];
      let next = 0;
      while (next < count || buffer.length > 0) {
        while (buffer.length < capacity && next < count) buffer.push(next++);
        const slot = rng.int(buffer.length);
        reference.push(buffer[slot]);
        if (next < count) buffer[slot] = next++;
        else {
          const last = buffer.pop() as number;
          if (slot < buffer.length) buffer[slot] = last;
        }
      }
    }
    expect(stream(new TrainBatches(set, { batchSize: 1, shuffleBuffer: capacity, seed }), 3 * count)).toEqual(reference);
  });

  it('with a buffer of 1 is the sequential order', () => {
    const batches = new TrainBatches(set, { batchSize: 10, shuffleBuffer: 1, seed: 5 });
    expect(stream(batches, 206)).toEqual([...range(103), ...range(103)]);
  });

  it('with a small buffer only reaches a little ahead (the tf.data buffer bound)', () => {
    const buffer = 8;
    const order = stream(new TrainBatches(set, { batchSize: 1, shuffleBuffer: buffer, seed: 9 }), 103);
    // The k-th output is drawn from the buffer holding digits < k + buffer.
    order.forEach((index, k) => expect(index).toBeLessThan(k + buffer));
    expect(order).not.toEqual(range(103));
  });

  it('with a buffer >= count is a full shuffle: any digit can come first', () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      firsts.add(new TrainBatches(set, { batchSize: 1, shuffleBuffer: 5000, seed }).next().xs[0] * 256);
    }
    // With a buffer of 8, only digits 0-7 could come first; a full shuffle reaches far beyond.
    expect(Math.max(...firsts)).toBeGreaterThan(80);
    expect(firsts.size).toBeGreaterThan(60);
  });

  it('drops the remainder: batches are always full, and straddle passes', () => {
    const batches = new TrainBatches(set, { batchSize: 10, shuffleBuffer: 50, seed: 2 });
    expect(batches.stepsPerEpoch).toBe(10);
    const sizes = range(25).map(() => batches.next().size);
    expect(new Set(sizes)).toEqual(new Set([10]));
    expect(batches.currentPass).toBe(2); // 250 digits drawn from passes of 103
  });

  it('repeats the same order with the same seed and another with another seed', () => {
    const a = stream(new TrainBatches(set, { batchSize: 10, seed: 42 }), 300);
    const b = stream(new TrainBatches(set, { batchSize: 10, seed: 42 }), 300);
    const c = stream(new TrainBatches(set, { batchSize: 10, seed: 43 }), 300);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('continues identically after save (mid-pass) and restore, through a JSON round-trip', () => {
    const options = { batchSize: 10, shuffleBuffer: 30, seed: 11 };
    const uninterrupted = stream(new TrainBatches(set, options), 400);
    for (const stopAfter of [0, 3, 13, 21]) {
      const first = new TrainBatches(set, options);
      const before = stream(first, stopAfter * 10);
      const state = JSON.parse(JSON.stringify(first.getState()));
      const resumed = TrainBatches.restore(set, options, state);
      expect(resumed.batchesServed).toBe(stopAfter);
      expect([...before, ...stream(resumed, 400 - stopAfter * 10)]).toEqual(uninterrupted);
    }
  });

  it('refuses a state from another set, batch size or a damaged state', () => {
    const options = { batchSize: 10, shuffleBuffer: 30, seed: 11 };
    const state = new TrainBatches(set, options).getState();
    expect(() => TrainBatches.restore(set, { ...options, batchSize: 20 }, state)).toThrow(/batchSize/);
    expect(() => TrainBatches.restore(indexedDigits(50), options, state)).toThrow(/count/);
    expect(() => TrainBatches.restore(set, options, { ...state, rng: 'x' })).toThrow(/batcher state/);
    expect(() => TrainBatches.restore(set, options, { ...state, buffer: [500] })).toThrow(/positions/);
  });

  it('counts 468 steps per epoch at batch 128 and 937 at 64 on 60,000 digits', () => {
    const big: DigitSet = { images: new Uint8Array(60000 * PIXELS), labels: new Uint8Array(60000), count: 60000 };
    expect(new TrainBatches(big, { batchSize: 128, seed: 0 }).stepsPerEpoch).toBe(468);
    expect(new TrainBatches(big, { batchSize: 64, seed: 0 }).stepsPerEpoch).toBe(937);
  });

  it('rejects bad options naming the flag', () => {
    expect(() => new TrainBatches(set, { batchSize: 0, seed: 1 })).toThrow(/--batch-size must be an integer in 1-103 .*; got 0/);
    expect(() => new TrainBatches(set, { batchSize: 200, seed: 1 })).toThrow(/--batch-size/);
    expect(() => new TrainBatches(set, { batchSize: 2.5, seed: 1 })).toThrow(/--batch-size/);
    expect(() => new TrainBatches(set, { batchSize: 10, seed: 1.5 })).toThrow(/--seed/);
    expect(() => new TrainBatches(set, { batchSize: 10, shuffleBuffer: 0, seed: 1 })).toThrow(/shuffle buffer/);
  });
});

describe('TrainBatches with augmentation', () => {
  const set = indexedDigits(103);
  const augment = { shift: 2, rotate: 10, scale: 0.1 };
  const options = { batchSize: 10, shuffleBuffer: 30, seed: 11, augment };
  const take = (batches: TrainBatches, n: number): Batch[] => range(n).map(() => batches.next());
  /** Bit-exact equality of two batch lists (a byte comparison: deep equality over floats is slow). */
  const expectSameBatches = (actual: Batch[], expected: Batch[]): void => {
    expect(actual.length).toBe(expected.length);
    actual.forEach((batch, b) => {
      expect(batch.labels, `labels of batch ${b}`).toEqual(expected[b].labels);
      expect(Buffer.from(batch.xs.buffer).equals(Buffer.from(expected[b].xs.buffer)), `pixels of batch ${b}`).toBe(true);
    });
  };

  it('transforms each digit of the unaugmented order with transforms drawn from the state\'s augmentation RNG', () => {
    const plain = new TrainBatches(set, { ...options, augment: undefined });
    const augmented = new TrainBatches(set, options);
    const settings = augmentSettings(augment);
    for (let b = 0; b < 25; b++) {
      const rng = new Rng(0);
      rng.setState(augmented.getState().augmentRng as RngState);
      const order = indicesOf(plain.next());
      const batch = augmented.next();
      // Plain-loop reference: the digit the unaugmented stream gives, warped by the next draws of that RNG.
      const expected = new Float32Array(batch.size * PIXELS);
      order.forEach((index, k) => warpDigit(set.images, index * PIXELS, drawTransform(rng, settings), expected, k * PIXELS, 1 / 256));
      expectSameBatches([batch], [{ xs: expected, labels: Uint8Array.from(order, (i) => set.labels[i]), size: order.length }]);
    }
  });

  it("plans each batch as next() gathers it: the same digits and transforms, advancing the stream the same way", () => {
    const planned = new TrainBatches(set, options);
    const gathered = new TrainBatches(set, options);
    for (let b = 0; b < 25; b++) {
      const { indices, transforms } = planned.nextPlan();
      const batch = gathered.next();
      expect(Array.from(indices)).toEqual(indicesOf(take(new TrainBatches(set, { ...options, augment: undefined }), b + 1)[b]));
      const expected = new Float32Array(batch.size * PIXELS);
      indices.forEach((index, k) => warpDigit(set.images, index * PIXELS, transforms![k], expected, k * PIXELS, 1 / 256));
      expectSameBatches([batch], [{ xs: expected, labels: Uint8Array.from(indices, (i) => set.labels[i]), size: indices.length }]);
    }
    expect(planned.getState()).toEqual(gathered.getState());
    expect(new TrainBatches(set, { ...options, augment: undefined }).nextPlan().transforms).toBeNull();
  });

  it('keeps labels and shape, gives 28×28 floats in [0, 1], and never writes to the set', () => {
    const before = set.images.slice();
    const batches = take(new TrainBatches(set, options), 30);
    const plain = take(new TrainBatches(set, { ...options, augment: {} }), 30);
    batches.forEach((batch, b) => {
      expect(batch.size).toBe(10);
      expect(batch.xs.length).toBe(10 * PIXELS);
      expect(batch.labels).toEqual(plain[b].labels);
      expect(batch.xs.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(Buffer.from(batch.xs.buffer).equals(Buffer.from(plain[b].xs.buffer))).toBe(false);
    });
    expect(set.images).toEqual(before);
  });

  it('all-zero options are no augmentation: the exact unaugmented batches', () => {
    const plain = take(new TrainBatches(set, { ...options, augment: undefined }), 20);
    expectSameBatches(take(new TrainBatches(set, { ...options, augment: { shift: 0, rotate: 0, scale: 0 } }), 20), plain);
  });

  it('gives the same batches for the same seed and others for another seed', () => {
    const a = take(new TrainBatches(set, options), 15);
    expectSameBatches(take(new TrainBatches(set, options), 15), a);
    const c = take(new TrainBatches(set, { ...options, seed: 12 }), 15);
    expect(c.some((batch, b) => !Buffer.from(batch.xs.buffer).equals(Buffer.from(a[b].xs.buffer)))).toBe(true);
  });

  it('continues identically after save and restore, through a JSON round-trip', () => {
    const uninterrupted = take(new TrainBatches(set, options), 40);
    for (const stopAfter of [0, 7, 23]) {
      const first = new TrainBatches(set, options);
      const head = take(first, stopAfter);
      const resumed = TrainBatches.restore(set, options, JSON.parse(JSON.stringify(first.getState())));
      expectSameBatches([...head, ...take(resumed, 40 - stopAfter)], uninterrupted);
    }
  });

  it('refuses to resume with other augmentation than the state was saved with', () => {
    const state = new TrainBatches(set, options).getState();
    expect(() => TrainBatches.restore(set, { ...options, augment: { ...augment, rotate: 5 } }, state)).toThrow(
      /batcher state augment.rotate must be 5 as in this run; got 10/,
    );
    expect(() => TrainBatches.restore(set, { ...options, augment: undefined }, state)).toThrow(/augment.shift/);
    expect(() => TrainBatches.restore(set, options, { ...state, augmentRng: [1, 2] })).toThrow(/batcher state must be/);
  });

  it('reads a version-1 state (saved before augmentation) as unaugmented, and continues it exactly', () => {
    const plainOptions = { batchSize: 10, shuffleBuffer: 30, seed: 11 };
    const uninterrupted = take(new TrainBatches(set, plainOptions), 30);
    const first = new TrainBatches(set, plainOptions);
    const head = take(first, 9);
    const { augment: _augment, augmentRng: _augmentRng, ...rest } = first.getState();
    const v1 = { ...rest, version: 1 };
    expectSameBatches([...head, ...take(TrainBatches.restore(set, plainOptions, v1), 21)], uninterrupted);
    expect(() => TrainBatches.restore(set, options, v1)).toThrow(/augment.shift must be 2 as in this run; got 0/);
  });
});

describe('toBatch and oneHot', () => {
  const set = indexedDigits(40);

  it('toBatch takes digits in order without shuffling', () => {
    const batch = toBatch(set, 5, 30);
    expect(indicesOf(batch)).toEqual(range(30).map((k) => k + 5));
    expect(Array.from(batch.labels)).toEqual(range(30).map((k) => (k + 5) % 10));
    expect(() => toBatch(set, 30, 11)).toThrow(/count must be/);
    expect(() => toBatch(set, -1, 1)).toThrow(/start must be/);
  });

  it('oneHot matches a plain-loop reference', () => {
    const labels = new Uint8Array([3, 0, 9, 3]);
    const reference = new Float32Array(40);
    for (let i = 0; i < labels.length; i++) for (let c = 0; c < 10; c++) reference[i * 10 + c] = c === labels[i] ? 1 : 0;
    expect(oneHot(labels)).toEqual(reference);
    expect(oneHot(new Uint8Array([1]), 3)).toEqual(new Float32Array([0, 1, 0]));
    expect(() => oneHot(new Uint8Array([4]), 3)).toThrow(/labels\[0\] must be below 3; got 4/);
  });
});
