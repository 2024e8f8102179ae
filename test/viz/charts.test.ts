// Chart pictures: codelab sizes, not blank, series drawn where the data is, partial histories, SVG output.
import { describe, expect, it } from 'vitest';
import { compareZoomMin, curvesConfigs, learningRateConfig } from '../../src/viz/chart-configs.js';
import { compareChart, learningRateChart, perClassAccuracyChart, trainingCurvesChart } from '../../src/viz/charts.js';
import { curveSeries, lrTitle } from '../../src/viz/curve-data.js';
import { stepPlan } from '../helpers/steps.js';
import { colors } from '../../src/viz/style.js';
import { syntheticHistory } from '../helpers/run-folders.js';
import { countColour, decodePng, greyVariance, WHOLE } from '../helpers/png.js';

const hex = (c: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
const ORANGE = hex(colors.validation);
const BLUE = hex(colors.training);
const options = { zoom: 1, epochs: 10, validationNote: '10k test set' };

describe('training curves', () => {
  const full = syntheticHistory({ preset: '01-softmax', epochs: 10, trainedEpochs: 10, stepsPerEpoch: 100, quality: 0.92 });

  it('renders the 1152×504 two-panel figure with both series in both panels', async () => {
    const chart = trainingCurvesChart(full, options);
    const p = await decodePng(chart.png);
    expect([p.width, p.height]).toEqual([1152, 504]);
    expect(greyVariance(p)).toBeGreaterThan(50);
    const left = { x: 0, y: 80, width: 576, height: 380 };
    const right = { x: 576, y: 80, width: 576, height: 380 };
    for (const panel of [left, right]) {
      expect(countColour(p, panel, ORANGE, 20)).toBeGreaterThan(200);
      expect(countColour(p, panel, BLUE, 20)).toBeGreaterThan(60);
    }
    expect(chart.svg.startsWith('<?xml')).toBe(true);
    expect(chart.svg).toMatch(/<svg[^>]*width="1152" height="504"/);
    expect(chart.svg.match(/<svg x=/g)).toHaveLength(2);
  });

  it('renders from a partial history (mid-training) and from none, the x axis already spanning all epochs', async () => {
    const partial = full.filter((r) => r.type === 'start' || (r.type !== 'end' && r.epoch < 3));
    const configs = curvesConfigs(curveSeries(partial), options);
    expect(configs.loss.options?.scales?.x?.max).toBe(10);
    expect(configs.loss.data.datasets[1].data).toHaveLength(3);
    const p = await decodePng(trainingCurvesChart(partial, options).png);
    const empty = await decodePng(trainingCurvesChart([], options).png);
    expect(countColour(p, WHOLE(p), ORANGE, 20)).toBeGreaterThan(100);
    // The legend swatch is the only orange of an empty chart.
    expect(countColour(empty, WHOLE(empty), ORANGE, 20)).toBeLessThan(countColour(p, WHOLE(p), ORANGE, 20) / 2);
    // Nothing is drawn right of epoch 3 in the partial chart: the plot's right third has no series colour.
    const lateRight = { x: 576 + 380, y: 80, width: 150, height: 370 };
    expect(countColour(p, lateRight, ORANGE, 20) + countColour(p, lateRight, BLUE, 20)).toBe(0);
  });

  it('widens the range when even zoom 1 would cut off validation values (an untrained sigmoid net)', () => {
    const series = curveSeries(full);
    const stuck = { ...series, valLoss: series.valLoss.map((p) => ({ ...p, y: 2.3 })), valAccuracy: series.valAccuracy.map((p) => ({ ...p, y: 0.13 })) };
    const configs = curvesConfigs(stuck, { ...options, zoom: 16 });
    expect(configs.loss.options?.scales?.y?.max).toBeGreaterThanOrEqual(2.3);
    expect(configs.accuracy.options?.scales?.y?.min).toBeLessThanOrEqual(0.13);
    expect(configs.loss.options?.plugins?.title?.text).toMatch(/widened/);
  });

  it('labels the validation series with what it really is', () => {
    const configs = curvesConfigs(curveSeries(full), { ...options, validationNote: 'first 2,000 test digits' });
    expect(configs.accuracy.data.datasets.map((d) => d.label)).toEqual([
      'training accuracy',
      'validation accuracy (first 2,000 test digits)',
    ]);
    expect(configs.accuracy.options?.scales?.y?.min).toBe(0.5);
    expect(configs.accuracy.options?.scales?.y?.max).toBeCloseTo(1.05, 12);
  });
});

describe('zoom', () => {
  const point = (y: number) => [{ x: 1, y }];
  const series = (valLoss: number, valAcc: number) => ({ trainLoss: point(0.5), trainAccuracy: point(0.5), valLoss: point(valLoss), valAccuracy: point(valAcc) });

  it("uses the codelab's zoom when the latest validation values are inside it", () => {
    const c = curvesConfigs(series(0.05, 0.98), { ...options, zoom: 10 });
    expect(c.loss.options?.scales?.y?.max).toBeCloseTo(0.12, 12);
    expect(c.accuracy.options?.scales?.y?.min).toBeCloseTo(0.95, 12);
    expect(c.loss.options?.plugins?.title?.text).toBe('loss (zoom 10)');
  });

  it('falls back to zoom 1 per panel, saying so, when the zoom would hide validation values', () => {
    const c = curvesConfigs(series(0.3, 0.98), { ...options, zoom: 10 });
    expect(c.loss.options?.scales?.y?.max).toBeCloseTo(1.2, 12);
    expect(c.loss.options?.plugins?.title?.text).toBe('loss (zoom 1: zoom 10 would hide validation values)');
    expect(c.accuracy.options?.scales?.y?.min).toBeCloseTo(0.95, 12);
    const early = curvesConfigs({ ...series(0.05, 0.98), valAccuracy: [{ x: 1, y: 0.93 }, { x: 2, y: 0.97 }] }, { ...options, zoom: 10 });
    expect(early.accuracy.options?.scales?.y?.min).toBe(0.5);
  });
});

describe('learning-rate chart', () => {
  it("renders 648×432 with the title the 10-conv-bn schedule gives", async () => {
    const plan = await stepPlan('10-conv-bn');
    plan.model.dispose();
    const points = plan.lr;
    const config = learningRateConfig(points, lrTitle(points, 10), 10);
    expect(config.options?.plugins?.title?.text).toEqual(['Learning rate', 'decays from 0.01 to 0.000258']);
    const p = await decodePng(learningRateChart(points, 10).png);
    expect([p.width, p.height]).toEqual([648, 432]);
    expect(countColour(p, WHOLE(p), BLUE, 20)).toBeGreaterThan(500);
    expect(greyVariance(p)).toBeGreaterThan(50);
  });
});

describe('other charts', () => {
  it('per-class accuracy and comparison render at their sizes with one colour per run', async () => {
    const bars = await decodePng(perClassAccuracyChart([...'0123456789'], [0.99, 0.98, 0.97, 0.96, 0.95, 0.99, 0.98, 0.97, 0.96, 0.9], '10k test set').png);
    expect([bars.width, bars.height]).toEqual([864, 432]);
    expect(countColour(bars, WHOLE(bars), BLUE, 10)).toBeGreaterThan(5000);
    const runs = [0, 1, 2].map((k) => ({ name: `run${k}`, valAccuracy: [1, 2, 3].map((x) => ({ x, y: 0.9 + 0.02 * k + 0.005 * x })) }));
    const compare = await decodePng(compareChart(runs, '10k test set').png);
    expect([compare.width, compare.height]).toEqual([1008, 504]);
    for (const c of colors.series.slice(0, 3)) expect(countColour(compare, WHOLE(compare), hex(c), 10)).toBeGreaterThan(100);
    expect(compareZoomMin(runs)).toBeNull();
  });

  it('adds a panel zoomed on the best runs when the runs span the whole ladder', async () => {
    const ladder = [
      { name: 'sigmoid', valAccuracy: [1, 2, 3].map((x) => ({ x, y: 0.3 + 0.1 * x })) },
      { name: 'conv-bn', valAccuracy: [1, 2, 3].map((x) => ({ x, y: 0.985 + 0.003 * x })) },
    ];
    expect(compareZoomMin(ladder)).toBe(0.96);
    const compare = await decodePng(compareChart(ladder, '10k test set').png);
    expect([compare.width, compare.height]).toEqual([2016, 504]);
    const [left, right] = [{ ...WHOLE(compare), width: 1008 }, { ...WHOLE(compare), x: 1008, width: 1008 }];
    // The sigmoid run (first colour) is drawn on the full panel only; the best run on both.
    expect(countColour(compare, left, hex(colors.series[0]), 10)).toBeGreaterThan(100);
    expect(countColour(compare, right, hex(colors.series[0]), 10)).toBeLessThan(countColour(compare, left, hex(colors.series[0]), 10) / 4);
    expect(countColour(compare, right, hex(colors.series[1]), 10)).toBeGreaterThan(100);
  });
});
