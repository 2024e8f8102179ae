// PredictionBatcher: requests in one window share a model call, each gets exactly its own rows back.
import { describe, expect, it } from 'vitest';
import { PIXELS } from '../../src/data/types.js';
import type { Predictions } from '../../src/predict/predict.js';
import { PredictionBatcher } from '../../src/server/batcher.js';

/** A stand-in model whose answer for an image is its first pixel, so misrouted rows show. */
function echoModel(calls: number[]) {
  return (images: Float32Array, count: number): Predictions => {
    calls.push(count);
    const classes = Array.from({ length: count }, (_, i) => images[i * PIXELS]);
    return { classes, probabilities: classes.map((k) => [k, count]) };
  };
}

function imagesStartingWith(...firstPixels: number[]): Float32Array {
  const images = new Float32Array(firstPixels.length * PIXELS);
  firstPixels.forEach((v, i) => (images[i * PIXELS] = v));
  return images;
}

describe('PredictionBatcher', () => {
  it('joins requests of one window into one call and splits the answer back', async () => {
    const calls: number[] = [];
    const batcher = new PredictionBatcher(echoModel(calls), { windowMs: 20, maxBatch: 100 });
    const answers = await Promise.all([
      batcher.submit(imagesStartingWith(1, 2), 2),
      batcher.submit(imagesStartingWith(3), 1),
      batcher.submit(imagesStartingWith(4, 5, 6), 3),
    ]);
    expect(calls).toEqual([6]);
    expect(answers.map((a) => a.classes)).toEqual([[1, 2], [3], [4, 5, 6]]);
    expect(answers[1].probabilities).toEqual([[3, 6]]);
    expect(batcher.stats).toEqual({ calls: 1, images: 6, requests: 3 });
  });

  it('sends a batch as soon as it is full, without waiting for the window', async () => {
    const calls: number[] = [];
    const batcher = new PredictionBatcher(echoModel(calls), { windowMs: 60_000, maxBatch: 3 });
    const first = batcher.submit(imagesStartingWith(1, 2), 2);
    const second = batcher.submit(imagesStartingWith(3), 1);
    expect((await first).classes).toEqual([1, 2]);
    expect((await second).classes).toEqual([3]);
    expect(calls).toEqual([3]);
  });

  it('rejects every request of a failed batch, then keeps serving', async () => {
    let fail = true;
    const batcher = new PredictionBatcher(
      (images, count) => {
        if (fail) throw new Error('model exploded');
        return echoModel([])(images, count);
      },
      { windowMs: 5, maxBatch: 100 },
    );
    const results = await Promise.allSettled([batcher.submit(imagesStartingWith(1), 1), batcher.submit(imagesStartingWith(2), 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await batcher.submit(imagesStartingWith(7), 1)).classes).toEqual([7]);
  });
});
