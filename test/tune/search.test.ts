// Search: sampling respects types, bounds and log scale; TPE beats random search on a toy objective at the same seed.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { makeSampler, type Observation } from '../../src/tune/search/sampler.js';
import { suggestRandom } from '../../src/tune/search/random.js';
import { suggestTpe } from '../../src/tune/search/tpe.js';
import { parseStudy, type Assignment, type ParamSpec } from '../../src/tune/study.js';

const params = parseStudy({
  goal: 'MINIMIZE',
  metric: 'loss',
  maxTrials: 1,
  params: [
    { name: 'conv', type: 'INTEGER', minValue: 6, maxValue: 18 },
    { name: 'lr2', type: 'INTEGER', minValue: 500, maxValue: 5000, scaleType: 'UNIT_LOG_SCALE' },
    { name: 'lr', type: 'DOUBLE', minValue: 1e-5, maxValue: 1e-1, scaleType: 'UNIT_LOG_SCALE' },
    { name: 'dropout', type: 'DOUBLE', minValue: 0.1, maxValue: 0.5 },
    { name: 'bnexp', type: 'DISCRETE', discreteValues: [0.9, 0.99, 0.993] },
    { name: 'act', type: 'CATEGORICAL', categoricalValues: ['relu', 'elu'] },
  ],
}).params;

function checkTypes(a: Assignment): void {
  expect(Number.isInteger(a.conv) && (a.conv as number) >= 6 && (a.conv as number) <= 18).toBe(true);
  expect(Number.isInteger(a.lr2) && (a.lr2 as number) >= 500 && (a.lr2 as number) <= 5000).toBe(true);
  expect(a.lr as number).toBeGreaterThanOrEqual(1e-5);
  expect(a.lr as number).toBeLessThanOrEqual(1e-1);
  expect(a.dropout as number).toBeGreaterThanOrEqual(0.1);
  expect(a.dropout as number).toBeLessThanOrEqual(0.5);
  expect([0.9, 0.99, 0.993]).toContain(a.bnexp);
  expect(['relu', 'elu']).toContain(a.act);
}

describe('random search', () => {
  const rng = new Rng(7);
  const draws = Array.from({ length: 4000 }, () => suggestRandom(params, rng));

  it('respects types and bounds', () => draws.forEach(checkTypes));

  it('reaches every integer, both ends included, about equally often', () => {
    const counts = new Map<number, number>();
    for (const d of draws) counts.set(d.conv as number, (counts.get(d.conv as number) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    for (const c of counts.values()) expect(Math.abs(c - 4000 / 13)).toBeLessThan(80);
  });

  it('is uniform in log10 on UNIT_LOG_SCALE and uniform on a linear scale', () => {
    // log10(lr) is uniform on [-5, -1]: each decade holds a quarter of the draws.
    for (let decade = -5; decade < -1; decade++) {
      const share = draws.filter((d) => Math.log10(d.lr as number) >= decade && Math.log10(d.lr as number) < decade + 1).length / draws.length;
      expect(share).toBeCloseTo(0.25, 1);
    }
    const belowMiddle = draws.filter((d) => (d.dropout as number) < 0.3).length / draws.length;
    expect(belowMiddle).toBeCloseTo(0.5, 1);
  });

  it('replays a trial from the seed and its number', () => {
    const study = { algorithm: 'random' as const, params, seed: 3, startupTrials: 10 };
    expect(makeSampler(study)(5, [])).toEqual(makeSampler(study)(5, []));
    expect(makeSampler(study)(5, [])).not.toEqual(makeSampler(study)(6, []));
  });
});

// A toy objective with its optimum at lr = 10^-2.5, conv = 40.
const toyParams: ParamSpec[] = parseStudy({
  goal: 'MINIMIZE',
  metric: 'loss',
  maxTrials: 1,
  params: [
    { name: 'lr', type: 'DOUBLE', minValue: 1e-5, maxValue: 1e-1, scaleType: 'UNIT_LOG_SCALE' },
    { name: 'conv', type: 'INTEGER', minValue: 4, maxValue: 64 },
  ],
}).params;
const toy = (a: Assignment) => (Math.log10(a.lr as number) + 2.5) ** 2 + (((a.conv as number) - 40) / 20) ** 2;

function runToyStudy(algorithm: 'random' | 'tpe', seed: number, trials: number): number[] {
  const suggest = makeSampler({ algorithm, params: toyParams, seed, startupTrials: 10 });
  const observations: Observation[] = [];
  for (let n = 1; n <= trials; n++) {
    const a = suggest(n, observations);
    observations.push({ params: a, score: toy(a) });
  }
  return observations.map((o) => o.score);
}

describe('TPE', () => {
  it('keeps types and bounds once it models the trials', () => {
    const rng = new Rng(1);
    const observations = Array.from({ length: 30 }, () => {
      const a = suggestRandom(params, rng);
      return { params: a, score: (a.dropout as number) + (a.act === 'relu' ? 0 : 1) };
    });
    for (let i = 0; i < 300; i++) checkTypes(suggestTpe(params, observations, rng, { startupTrials: 10 }));
  });

  it('draws like random search during the start-up trials', () => {
    const study = { params: toyParams, seed: 9, startupTrials: 10 };
    const earlier = [{ params: { lr: 0.01, conv: 8 }, score: 1 }];
    expect(makeSampler({ ...study, algorithm: 'tpe' })(2, earlier)).toEqual(makeSampler({ ...study, algorithm: 'random' })(2, earlier));
  });

  it('moves towards the good category', () => {
    const rng = new Rng(2);
    const observations = Array.from({ length: 40 }, () => {
      const a = suggestRandom(params, rng);
      return { params: a, score: a.act === 'elu' ? 0 : 1 };
    });
    const picks = Array.from({ length: 200 }, () => suggestTpe(params, observations, rng, { startupTrials: 10 }).act);
    expect(picks.filter((p) => p === 'elu').length).toBeGreaterThan(150);
  });

  it('finds better values than random search on a toy objective, seed for seed', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    let tpeBest = 0;
    let randomBest = 0;
    for (const seed of seeds) {
      const tpe = runToyStudy('tpe', seed, 40);
      const random = runToyStudy('random', seed, 40);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      // After the model takes over, TPE's trials are far better on average than random ones.
      expect(mean(tpe.slice(20))).toBeLessThan(mean(random.slice(20)) / 3);
      tpeBest += Math.min(...tpe);
      randomBest += Math.min(...random);
    }
    expect(tpeBest).toBeLessThan(randomBest / 2);
  });
});
