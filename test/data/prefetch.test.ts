// Prefetch changes when batches are prepared, never what they are: same batches and states as TrainBatches, in a
// worker thread or inline, with exact resume from getState() and clean failure.
import { describe, expect, it } from 'vitest';
import { TrainBatches, type Batch } from '../../src/data/pipeline.js';
import { Prefetcher } from '../../src/data/prefetch.js';
import { indexedDigits } from './fixtures.js';

const set = indexedDigits(97);
const options = { batchSize: 8, shuffleBuffer: 20, seed: 5 };

/** The first n batches of the plain, unprefetched stream. */
function reference(n: number): Batch[] {
  const batches = new TrainBatches(set, options);
  return Array.from({ length: n }, () => batches.next());
}

async function take(prefetcher: Prefetcher, n: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < n; i++) out.push(await prefetcher.next());
  return out;
}

describe.each([
  ['worker thread', true],
  ['inline', false],
])('Prefetcher (%s)', (_name, worker) => {
  it('hands out the same batches as TrainBatches and the state after the last one handed out', async () => {
    const prefetcher = new Prefetcher(set, options, { worker, depth: 3 });
    try {
      expect(prefetcher.stepsPerEpoch).toBe(12);
      const plain = new TrainBatches(set, options);
      expect(prefetcher.getState()).toEqual(plain.getState());
      for (let i = 0; i < 30; i++) {
        expect(await prefetcher.next()).toEqual(plain.next());
        // Up to 3 batches are prepared ahead, yet the state is the one after the batch just handed out.
        expect(prefetcher.getState()).toEqual(plain.getState());
      }
    } finally {
      await prefetcher.close();
    }
  });

  it('resumes exactly from getState()', async () => {
    const expected = reference(40);
    const first = new Prefetcher(set, options, { worker });
    const head = await take(first, 17);
    const state = JSON.parse(JSON.stringify(first.getState()));
    await first.close();
    const second = new Prefetcher(set, options, { worker, state });
    const tail = await take(second, 23);
    await second.close();
    expect([...head, ...tail]).toEqual(expected);
  });
});

describe('Prefetcher errors', () => {
  it('rejects bad options and states on the calling thread', () => {
    expect(() => new Prefetcher(set, { ...options, batchSize: 0 })).toThrow(/--batch-size/);
    expect(() => new Prefetcher(set, options, { depth: 0 })).toThrow(/prefetch depth/);
    const state = new TrainBatches(set, options).getState();
    expect(() => new Prefetcher(set, { ...options, batchSize: 4 }, { state })).toThrow(/batchSize/);
  });

  it('refuses next() after close(), and rejects a next() still waiting when closed', async () => {
    const prefetcher = new Prefetcher(set, options, { depth: 1 });
    const waiting = [prefetcher.next(), prefetcher.next(), prefetcher.next()];
    const settled = Promise.allSettled(waiting);
    await prefetcher.close();
    const outcomes = (await settled).map((o) => o.status);
    expect(outcomes.at(-1)).toBe('rejected');
    await expect(prefetcher.next()).rejects.toThrow(/after close/);
  });
});
