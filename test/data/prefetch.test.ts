// Prefetch changes when batches are prepared, never what they are: the worker's batches and states equal
// TrainBatches', resume from getState() is exact, and failures surface as errors instead of hangs.
import { describe, expect, it } from 'vitest';
import { TrainBatches, type Batch } from '../../src/data/pipeline.js';
import { Prefetcher } from '../../src/data/prefetch.js';
import { indexedDigits } from './fixtures.js';

const set = indexedDigits(97);
const options = { batchSize: 8, shuffleBuffer: 20, seed: 5 };

const take = (source: { next(): Batch }, n: number): Batch[] => Array.from({ length: n }, () => source.next());

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
    const expected = take(new TrainBatches(set, options), 40);
    const first = new Prefetcher(set, options);
    const head = take(first, 17);
    const state = JSON.parse(JSON.stringify(first.getState()));
    await first.close();
    const second = new Prefetcher(set, options, { state });
    const tail = take(second, 23);
    await second.close();
    expect([...head, ...tail]).toEqual(expected);
  });

  it('rejects bad options and states on the calling thread', () => {
    expect(() => new Prefetcher(set, { ...options, batchSize: 0 })).toThrow(/--batch-size/);
    expect(() => new Prefetcher(set, options, { depth: 0 })).toThrow(/prefetch depth/);
    const state = new TrainBatches(set, options).getState();
    expect(() => new Prefetcher(set, { ...options, batchSize: 4 }, { state })).toThrow(/batchSize/);
    expect(() => new Prefetcher({ ...set, count: 98 }, options)).toThrow(/training set must be 98 × 784 pixels/);
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
