// The notebook's plot_learning_rate cell: the rates it prints at each epoch start and the series it draws, per epoch
// or, for a schedule of the global step, per step.
import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/run/schema.js';
import { plotLearningRate } from '../../src/train/displays.js';
import { formatLr } from '../../src/train/progress.js';
import { oneCycle } from '../../src/train/schedules.js';
import { withSession } from '../../src/train/session.js';
import { memorySession } from '../helpers/memory-session.js';

/** Runs plotLearningRate in a memory session; returns what it printed and the points it drew. */
async function plotted(call: () => Promise<void>, overrides = {}): Promise<{ text: string; points: Point[] }> {
  let points: Point[] = [];
  const session = { ...memorySession({ overrides }), pictures: { learningRate: async (p: Point[]) => void (points = p), trainingPlot: async () => {}, predictions: async () => {} } };
  await withSession(session, call);
  return { text: session.out.text, points };
}

describe('plotLearningRate', () => {
  it("prints and draws a per-epoch schedule at each epoch start, as the codelab's cell does", async () => {
    const { text, points } = await plotted(() => plotLearningRate((epoch) => 0.01 * 0.5 ** epoch, 3));
    expect(text).toBe('Learning rate per epoch: 0.01, 0.005, 0.0025\n');
    expect(points).toEqual([0, 1, 2, 3].map((x) => ({ x, y: 0.01 * 0.5 ** x })));
  });

  it('draws a schedule of the global step within each epoch when given the steps per epoch, and prints each epoch start', async () => {
    const cycle = oneCycle({ maxLr: 0.01, total: 400 });
    const { text, points } = await plotted(() => plotLearningRate(cycle, 4, 100));
    const starts = [0, 100, 200, 300].map((step) => cycle(0, step));
    expect(text).toBe(`Learning rate per epoch: ${starts.map(formatLr).join(', ')}\n`);
    expect(starts[1]).toBeGreaterThan(starts[0]);
    expect(points).toHaveLength(4 * 20 + 1);
    for (const p of points) expect(p.y).toBeCloseTo(cycle(Math.floor(p.x), Math.round(p.x * 100)), 12);
    expect(Math.max(...points.map((p) => p.y))).toBeCloseTo(0.01, 3);
    // Without the steps per epoch, a per-step schedule is read at step 0 only: flat.
    const flat = await plotted(() => plotLearningRate(cycle, 4));
    expect(new Set(flat.points.map((p) => p.y)).size).toBe(1);
  });
});
