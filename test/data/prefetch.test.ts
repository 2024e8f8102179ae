// Prefetch changes when batches are prepared, never what they are: the worker's batches and states equal
// TrainBatches', resume from getState() is exact, and failures surface as errors instead of hangs.
import { describe, expect, it } from 'vitest';
import { TrainBatches, type Batch, type TrainBatchesOptions } from '../../src/data/pipeline.js';
import { Prefetcher } from '../../src/data/prefetch.js';
import { indexedDigits } from '../helpers/digit-files.js';

const set = indexedDigits(97);
const options = { batchSize: 8, shuffleBuffer: 20, seed: 5 };

const take = (source: { next(): Batch }, n: number): Batch[] => Array.from({ length: n }, () => source.next());

/** `head` batches from one Prefetcher, then `tail` from a second one started from the first's state (JSON round-trip). */
async function acrossResume(batchOptions: TrainBatchesOptions, head: number, tail: number): Promise<Batch[]> {
  const first = new Prefetcher(set, batchOptions);
  const before = take(first, head);
  const state = JSON.parse(JSON.stringify(first.getState()));
  await first.close();
  const second = new Prefetcher(set, batchOptions, { state });
  const after = take(second, tail);
  await second.close();
  return [...before, ...after];
}

describe('Prefetcher', () => {
  it('hands out the same batches as TrainBatches and the state after the last one handed out', async () => {
    const prefetcher = new Prefetcher(set, options, { depth: 3 });
    try {
      expect(prefetcher.stepsPerEpoch).toBe(12);
      const plain = new TrainBatches(set, options);
      expect(prefetcher.getState()).toEqual(plain.getState());
      for (let i = 0; i < 30; i++) {
        expect(prefetcher.next()).toEqual(plain.next());
        // Up to 3 batches are prepared ahead, yet the state is the one after the batch just handed out.
        expect(prefetcher.getState()).toEqual(plain.getState());
      }
    } finally {
      await prefetcher.close();
    }
  });

  it('resumes exactly from getState()', async () => {
    expect(await acrossResume(options, 17, 23)).toEqual(take(new TrainBatches(set, options), 40));
  });

  it('with augmentation, hands out exactly the augmented batches of TrainBatches and resumes exactly', async () => {
    const augmented = { ...options, augment: { shift: 2, rotate: 10, scale: 0.1 } };
    const batches = await acrossResume(augmented, 11, 19);
    expect(batches).toEqual(take(new TrainBatches(set, augmented), 30));
    // Augmentation really happened in the worker: same labels as the unaugmented stream, other pixels.
    const plain = take(new TrainBatches(set, options), 30);
    expect(batches.map((b) => Array.from(b.labels))).toEqual(plain.map((b) => Array.from(b.labels)));
    expect(batches[0].xs).not.toEqual(plain[0].xs);
  });

  it('rejects bad options and states on the calling thread', () => {
    expect(() => new Prefetcher(set, { ...options, batchSize: 0 })).toThrow(/--batch-size/);
    expect(() => new Prefetcher(set, options, { depth: 0 })).toThrow(/prefetch depth/);
    const state = new TrainBatches(set, options).getState();
    expect(() => new Prefetcher(set, { ...options, batchSize: 4 }, { state })).toThrow(/batchSize/);
    expect(() => new Prefetcher({ ...set, count: 98 }, options)).toThrow(/training set must be 98 × 784 pixels/);
    expect(() => new Prefetcher(set, { ...options, augment: { rotate: -1 } })).toThrow(/augment.rotate/);
  });

  it('times out with WORKER_FAILED instead of hanging when no batch comes', async () => {
    // The worker needs far more than 1 ms to start, so the first next() must give up.
    const prefetcher = new Prefetcher(set, options, { timeoutMs: 1 });
    expect(() => prefetcher.next()).toThrow(
      expect.objectContaining({
        code: 'WORKER_FAILED',
        message: 'the prefetch worker sent no batch for 1 ms',
        // Only advice the user can follow: there is no way to train without prefetch.
        hint: 'the machine may be overloaded (other trainings on its cores?), or the worker thread could not start (rebuild a damaged installation with `npm run build`); run the command again',
      }),
    );
    await prefetcher.close();
    expect(() => prefetcher.next()).toThrow(/after close/);
  });
});
