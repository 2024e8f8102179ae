// Learning-rate schedules against hand-computed tables and plain-loop references: the codelab's (keras_03/05,
// mlengine task.py), PyTorch's OneCycleLR and Keras 3's CosineDecay with warm-up.
import { describe, expect, it } from 'vitest';
import type { LrSchedule } from '../../src/train/schedules.js';
import {
  exponentialEpochDecay,
  oneCycle,
  scheduleTable,
  stepExpDecay,
  warmupCosine,
  type OneCycleOptions,
} from '../../src/train/schedules.js';
import { expectAllClose } from '../helpers/allclose.js';

function expectClose(actual: number[], expected: number[], rtol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(rtol * Math.abs(expected[i])));
}

describe('schedules', () => {
  it('0.01 * 0.6^epoch matches the hand table (keras_03, keras_04)', () => {
    const table = scheduleTable(exponentialEpochDecay(0.01, 0.6), 10);
    expect(table.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectClose(
      table.map((r) => r.lr),
      [0.01, 0.006, 0.0036, 0.00216, 0.001296, 0.0007776, 0.00046656, 0.000279936, 0.0001679616, 0.00010077696],
    );
  });

  it('0.01 * 0.666^epoch ends at 0.000258 (keras_05)', () => {
    const lrs = scheduleTable(exponentialEpochDecay(0.01, 0.666), 10).map((r) => r.lr);
    expect(lrs[0]).toBe(0.01);
    expect(lrs[1]).toBeCloseTo(0.00666, 12);
    expect(lrs[9]).toBeCloseTo(0.00025779118, 10);
  });

  it('lr1 + lr0 * e^(-step/lr2) decays per step, not per epoch (mlengine)', () => {
    const lr = stepExpDecay(0.02, 0.0001, 600);
    expectClose([lr(0, 0), lr(0, 600), lr(0, 1200), lr(0, 3000)], [0.0201, 0.00745758882, 0.00280670566, 0.000234758940]);
    expect(lr(5, 600)).toBe(lr(0, 600));
  });

  it('scheduleTable passes the global step of each epoch start', () => {
    const table = scheduleTable(stepExpDecay(0.02, 0.0001, 600), 3, 600);
    expectClose(table.map((r) => r.lr), [0.0201, 0.00745758882, 0.00280670566]);
  });
});

/** The rate at steps 0…n-1 of a per-step schedule (epoch left at 0). */
const perStep = (schedule: LrSchedule, n: number): number[] => Array.from({ length: n }, (_, step) => schedule(0, step));

/**
 * PyTorch's OneCycleLR.get_lr, transcribed loop for loop (two phases): walk the phases, take the first whose end
 * step is not passed (or the last), interpolate between its start and end rates.
 */
function torchOneCycle(o: Required<OneCycleOptions>, step: number): number {
  const initial = o.maxLr / o.divFactor;
  const phases = [
    { end: o.warmupFraction * o.total - 1, from: initial, to: o.maxLr },
    { end: o.total - 1, from: o.maxLr, to: initial / o.finalDivFactor },
  ];
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i];
    if (step <= phase.end || i === phases.length - 1) {
      const pct = (step - start) / (phase.end - start);
      if (o.anneal === 'cos') return phase.to + ((phase.from - phase.to) / 2) * (Math.cos(Math.PI * pct) + 1);
      return (phase.to - phase.from) * pct + phase.from;
    }
    start = phase.end;
  }
  throw new Error('unreachable');
}

/** Keras 3 CosineDecay(initial, decay_steps, alpha, warmup_target, warmup_steps).__call__, transcribed. */
function kerasCosineDecay(initial: number, decaySteps: number, alpha: number, target: number, warmupSteps: number, step: number): number {
  const s = Math.min(step, decaySteps + warmupSteps);
  if (s < warmupSteps) return (target - initial) * (s / warmupSteps) + initial;
  const completed = (s - warmupSteps) / decaySteps;
  const cosine = 0.5 * (1 + Math.cos(Math.PI * completed));
  return ((1 - alpha) * cosine + alpha) * target;
}

describe('oneCycle', () => {
  it('matches a hand table: up from maxLr/25 over the warm-up, down to maxLr/25/1e4 at the last step, then held', () => {
    // total 6, warm-up 0.5: phase 1 is steps 0-2 (fractions 0, 1/2, 1), phase 2 steps 2-5 (0, 1/3, 2/3, 1);
    // cos(π/3) = 1/2, so cos anneal gives start·3/4 + end/4 at 1/3 and start/4 + end·3/4 at 2/3.
    const [initial, min] = [0.04, 0.04 / 1e4];
    const cos = oneCycle({ maxLr: 1, total: 6, warmupFraction: 0.5 });
    expectAllClose(perStep(cos, 8), [initial, (initial + 1) / 2, 1, 0.75 + min / 4, 0.25 + (3 * min) / 4, min, min, min], 1e-15, 1e-12);
    const linear = oneCycle({ maxLr: 1, total: 6, warmupFraction: 0.5, anneal: 'linear' });
    expectAllClose(perStep(linear, 6), [initial, (initial + 1) / 2, 1, 1 - (1 - min) / 3, 1 - (2 * (1 - min)) / 3, min], 1e-15, 1e-12);
  });

  it('equals the PyTorch OneCycleLR loop at every step of several configurations', () => {
    const configs: Required<OneCycleOptions>[] = [
      { maxLr: 0.01, total: 937, unit: 'step', warmupFraction: 0.3, divFactor: 25, finalDivFactor: 1e4, anneal: 'cos' },
      { maxLr: 0.004, total: 100, unit: 'step', warmupFraction: 0.2, divFactor: 10, finalDivFactor: 100, anneal: 'linear' },
      { maxLr: 3, total: 13, unit: 'step', warmupFraction: 0.45, divFactor: 4, finalDivFactor: 7, anneal: 'cos' },
    ];
    for (const config of configs) {
      const reference = Array.from({ length: config.total }, (_, step) => torchOneCycle(config, step));
      expectAllClose(perStep(oneCycle(config), config.total), reference, 0, 1e-12);
    }
  });

  it('per epoch, the epoch drives it and the step is ignored', () => {
    const byEpoch = oneCycle({ maxLr: 0.01, total: 10, unit: 'epoch' });
    const byStep = oneCycle({ maxLr: 0.01, total: 10 });
    for (let epoch = 0; epoch < 12; epoch++) {
      expect(byEpoch(epoch, 0)).toBe(byStep(0, epoch));
      expect(byEpoch(epoch, 12345)).toBe(byEpoch(epoch, 0));
    }
    expectAllClose(scheduleTable(byEpoch, 3, 100).map((r) => r.lr), [0.0004, byStep(0, 1), byStep(0, 2)], 0, 1e-12);
  });

  it('starts at maxLr when the warm-up is shorter than a step (where PyTorch divides by zero)', () => {
    const lr = oneCycle({ maxLr: 1, total: 10, warmupFraction: 0.1 });
    expect(lr(0, 0)).toBe(1);
    expect(lr(0, 9)).toBeCloseTo(0.04 / 1e4, 12);
  });

  it('rejects bad options naming them', () => {
    expect(() => oneCycle({ maxLr: 0, total: 10 })).toThrow(/oneCycle maxLr must be a positive number; got 0/);
    expect(() => oneCycle({ maxLr: 1, total: 1 })).toThrow(/oneCycle total must be an integer of at least 2/);
    expect(() => oneCycle({ maxLr: 1, total: 10, warmupFraction: 1 })).toThrow(/oneCycle warmupFraction/);
    expect(() => oneCycle({ maxLr: 1, total: 10, divFactor: -1 })).toThrow(/oneCycle divFactor/);
    expect(() => oneCycle({ maxLr: 1, total: 10, unit: 'batch' as never })).toThrow(/oneCycle unit must be 'step' or 'epoch'/);
    expect(() => oneCycle({ maxLr: 1, total: 10, anneal: 'exp' as never })).toThrow(/oneCycle anneal/);
  });
});

describe('warmupCosine', () => {
  it('matches a hand table: linear warm-up 0 → 1 over 2 steps, cosine to alpha 0.1 over 4, then held', () => {
    const lr = warmupCosine({ peakLr: 1, warmup: 2, decay: 4, alpha: 0.1 });
    const c = Math.SQRT1_2; // cos(π/4)
    const expected = [0, 0.5, 1, 0.9 * ((1 + c) / 2) + 0.1, 0.9 * 0.5 + 0.1, 0.9 * ((1 - c) / 2) + 0.1, 0.1, 0.1];
    expectAllClose(perStep(lr, 8), expected, 0, 1e-12);
  });

  it('equals the Keras 3 CosineDecay loop, with and without warm-up', () => {
    const cases = [
      { initialLr: 0.001, peakLr: 0.01, warmup: 100, decay: 837, alpha: 0 },
      { initialLr: 0, peakLr: 0.003, warmup: 37, decay: 200, alpha: 0.05 },
      { initialLr: 0, peakLr: 0.02, warmup: 0, decay: 50, alpha: 0.01 },
    ];
    for (const o of cases) {
      const n = o.warmup + o.decay + 10;
      const reference = Array.from({ length: n }, (_, step) => kerasCosineDecay(o.initialLr, o.decay, o.alpha, o.peakLr, o.warmup, step));
      expectAllClose(perStep(warmupCosine(o), n), reference, 0, 1e-12);
    }
  });

  it('per epoch, changes once per epoch', () => {
    const lr = warmupCosine({ peakLr: 0.01, warmup: 1, decay: 8, unit: 'epoch' });
    expect(scheduleTable(lr, 3, 937).map((r) => r.lr)).toEqual([0, 0.01, lr(2, 0)]);
    expect(lr(2, 5000)).toBe(lr(2, 0));
    expect(lr(5, 0)).toBeCloseTo(0.005, 12); // halfway through the decay: cos(π/2) = 0
  });

  it('rejects bad options naming them', () => {
    expect(() => warmupCosine({ peakLr: -1, decay: 10 })).toThrow(/warmupCosine peakLr must be a positive number/);
    expect(() => warmupCosine({ peakLr: 1, decay: 0 })).toThrow(/warmupCosine decay/);
    expect(() => warmupCosine({ peakLr: 1, decay: 10, warmup: -2 })).toThrow(/warmupCosine warmup/);
    expect(() => warmupCosine({ peakLr: 1, decay: 10, alpha: 2 })).toThrow(/warmupCosine alpha must be a fraction in 0-1; got 2/);
    expect(() => warmupCosine({ peakLr: 1, decay: 10, unit: 'x' as never })).toThrow(/warmupCosine unit/);
  });
});
