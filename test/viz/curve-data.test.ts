// Series, zoom limits, LR sampling and titles, Python-style number format, minor grid positions.
import { describe, expect, it } from 'vitest';
import { minorValues } from '../../src/viz/chart-plugins.js';
import { lrSeries } from '../../src/train/schedules.js';
import { oneCycle } from '../../src/train/schedules.js';
import { curveSeries, formatG, lrTitle, zoomLimits } from '../../src/viz/curve-data.js';
import { stepPlan } from '../helpers/steps.js';
import { syntheticHistory } from '../helpers/run-folders.js';

describe('formatG', () => {
  it("matches Python's '{:0.3g}' (values printed by python3 on this machine)", () => {
    const python: [number, string][] = [
      [0.01, '0.01'],
      [0.01 * 0.666 ** 9, '0.000258'],
      [0.01 * 0.6 ** 9, '0.000101'],
      [0.0000258, '2.58e-05'],
      [1234.5, '1.23e+03'],
      [0.1, '0.1'],
      [123.0, '123'],
      [0.00012345, '0.000123'],
    ];
    for (const [value, text] of python) expect(formatG(value)).toBe(text);
    expect(formatG(9.96e-5, 2)).toBe('0.0001');
  });
});

describe('learning-rate plot data', () => {
  it("gives the codelab titles for the lab files' 0.6 and 0.666 decays", async () => {
    const at = async (name: string) => {
      const plan = await stepPlan(name);
      plan.model.dispose();
      return { points: plan.lr, title: lrTitle(plan.lr, 10) };
    };
    const bn = await at('10-conv-bn');
    expect(bn.title).toEqual(['Learning rate', 'decays from 0.01 to 0.000258']);
    expect(bn.points).toHaveLength(11);
    bn.points.forEach((p, e) => expect(p).toEqual({ x: e, y: 0.01 * 0.666 ** e }));
    expect((await at('05-lr-decay')).title).toEqual(['Learning rate', 'decays from 0.01 to 0.000101']);
  });

  it('says constant for a flat rate and samples per-step schedules finely', () => {
    expect(lrTitle(lrSeries(() => 0.001, 10, 468), 10)).toEqual(['Learning rate', 'constant at 0.001']);
    // One-cycle warms up before it decays: 0.0002 (0.005 / 25) up to 0.005, then down to where training ends: the last
    // point drawn inside the 1,000 steps is step 995 (20 points per epoch), not the last epoch's start (step 900).
    const cycle = oneCycle({ maxLr: 0.005, total: 1000 });
    expect(formatG(cycle(9, 995))).not.toBe(formatG(cycle(9, 900)));
    expect(lrTitle(lrSeries(cycle, 10, 100), 10)).toEqual(['Learning rate', `rises from 0.0002 to 0.005, then decays to ${formatG(cycle(9, 995))}`]);
    const perStep = lrSeries((_e, step) => 0.0001 + 0.02 * Math.exp(-step / 1000), 3, 100);
    expect(perStep.length).toBe(3 * 20 + 1);
    const last = perStep.at(-1)!;
    expect(last.x).toBe(3);
    expect(last.y).toBeCloseTo(0.0001 + 0.02 * Math.exp(-300 / 1000), 12);
  });
});

describe('zoomLimits', () => {
  it('follows PlotTraining: loss 0..1.2/zoom, accuracy 1-1/(2 zoom)..1+0.05/zoom', () => {
    expect(zoomLimits(1)).toEqual({ loss: { min: 0, max: 1.2 }, accuracy: { min: 0.5, max: 1.05 } });
    const z16 = zoomLimits(16);
    expect(z16.loss.max).toBeCloseTo(0.075, 12);
    expect(z16.accuracy.min).toBeCloseTo(0.96875, 12);
    expect(z16.accuracy.max).toBeCloseTo(1.003125, 12);
  });
});

describe('curveSeries', () => {
  it('puts training samples at globalStep/stepsPerEpoch and validation at epoch+1, also mid-training', () => {
    const history = syntheticHistory({ preset: '01-softmax', epochs: 10, trainedEpochs: 3, stepsPerEpoch: 50, quality: 0.9 });
    const torn = [...history, { type: 'batch', epoch: 3, step: 0, globalStep: 150, loss: 0.3, accuracy: 0.9, lr: 0.01 } as const];
    const series = curveSeries(torn);
    expect(series.valAccuracy.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(series.trainLoss).toHaveLength(3 * 5 + 1);
    expect(series.trainLoss.at(-1)).toEqual({ x: 3, y: 0.3 });
    expect(series.trainAccuracy[1].x).toBeCloseTo(10 / 50, 12);
    expect(curveSeries([])).toEqual({ trainLoss: [], trainAccuracy: [], valLoss: [], valAccuracy: [] });
  });
});

describe('minorValues', () => {
  it('splits major steps of 1 and 5 in five and of 2 in four, skipping the majors', () => {
    expect(minorValues([0, 1, 2], 0, 2).map((v) => +v.toFixed(6))).toEqual([0.2, 0.4, 0.6, 0.8, 1.2, 1.4, 1.6, 1.8]);
    expect(minorValues([0, 0.02, 0.04], 0, 0.04).map((v) => +v.toFixed(6))).toEqual([0.005, 0.01, 0.015, 0.025, 0.03, 0.035]);
    expect(minorValues([0.95, 0.96], 0.9475, 0.96).map((v) => +v.toFixed(6))).toEqual([0.948, 0.952, 0.954, 0.956, 0.958]);
  });
});
