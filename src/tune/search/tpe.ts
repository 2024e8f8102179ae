// Tree-structured Parzen Estimator (Bergstra et al. 2011, as in hyperopt): model good and bad trials per parameter, sample where good/bad is highest.
import type { Rng } from '../../util/rng.js';
import type { Assignment, ParamSpec } from '../study.js';
import { suggestRandom } from './random.js';
import { choiceIndex, fromSpace, paramSpace, toSpace, type ChoiceSpace, type NumericSpace } from './space.js';

/** A finished trial as the sampler sees it: its values and a score where lower is better. */
export interface Observation {
  params: Assignment;
  score: number;
}

export interface TpeOptions {
  /** Trials drawn at random before the model is used. */
  startupTrials: number;
  /** Candidates drawn from the good-trials density per parameter (hyperopt: 24). */
  candidates?: number;
  /** Fraction of trials counted as good (hyperopt: 0.25). */
  gamma?: number;
}

/** A mixture of Gaussians truncated to [low, high]: one per observation plus a broad prior at the centre. */
interface Parzen {
  mus: number[];
  sigmas: number[];
  low: number;
  high: number;
}

const SQRT2 = Math.SQRT2;

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for mixture weights. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-ax * ax));
}

const normalCdf = (z: number) => 0.5 * (1 + erf(z / SQRT2));

/** hyperopt's adaptive Parzen bandwidths: each sigma is the larger gap to its sorted neighbours, clipped. */
function fitParzen(space: NumericSpace, points: number[]): Parzen {
  const { low, high } = space;
  const priorMu = (low + high) / 2;
  const priorSigma = high - low;
  const mus = [...points, priorMu].sort((a, b) => a - b);
  const minSigma = priorSigma / Math.min(100, 1 + mus.length);
  const sigmas = mus.map((mu, i) => {
    const left = mu - (i > 0 ? mus[i - 1] : low);
    const right = (i < mus.length - 1 ? mus[i + 1] : high) - mu;
    return Math.min(priorSigma, Math.max(minSigma, left, right));
  });
  const prior = mus.indexOf(priorMu);
  sigmas[prior] = priorSigma;
  return { mus, sigmas, low, high };
}

function parzenLogPdf(p: Parzen, x: number): number {
  let density = 0;
  for (let i = 0; i < p.mus.length; i++) {
    const s = p.sigmas[i];
    const z = (x - p.mus[i]) / s;
    const mass = normalCdf((p.high - p.mus[i]) / s) - normalCdf((p.low - p.mus[i]) / s);
    density += Math.exp(-0.5 * z * z) / (s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(density / p.mus.length + 1e-300);
}

/** Standard normal draw (Box-Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function sampleParzen(p: Parzen, rng: Rng): number {
  const i = rng.int(p.mus.length);
  // Every component's centre lies inside [low, high] and sigma ≤ high-low, so at least a third of draws land inside.
  for (let attempt = 0; attempt < 64; attempt++) {
    const x = p.mus[i] + p.sigmas[i] * gaussian(rng);
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, p.mus[i]));
}

function suggestNumeric(space: NumericSpace, good: number[], bad: number[], rng: Rng, candidates: number): number {
  const l = fitParzen(space, good);
  const g = fitParzen(space, bad);
  let best = sampleParzen(l, rng);
  let bestGain = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const x = c === 0 ? best : sampleParzen(l, rng);
    const gain = parzenLogPdf(l, x) - parzenLogPdf(g, x);
    if (gain > bestGain) [best, bestGain] = [x, gain];
  }
  return fromSpace(space, best);
}

/** Category weights: one prior count per category plus one per observation. */
function categoryWeights(space: ChoiceSpace, indices: number[]): number[] {
  const counts = space.values.map(() => 1);
  for (const i of indices) if (i >= 0) counts[i] += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

function suggestChoice(space: ChoiceSpace, good: number[], bad: number[], rng: Rng, candidates: number): number | string {
  const l = categoryWeights(space, good);
  const g = categoryWeights(space, bad);
  let best = 0;
  let bestGain = -Infinity;
  for (let c = 0; c < candidates; c++) {
    let u = rng.next();
    let k = 0;
    while (k < l.length - 1 && u >= l[k]) u -= l[k++];
    const gain = Math.log(l[k]) - Math.log(g[k]);
    if (gain > bestGain) [best, bestGain] = [k, gain];
  }
  return space.values[best];
}

/**
 * Suggests the next trial's values. Until `startupTrials` observations exist it samples at random; then, per
 * parameter, it fits l(x) to the best gamma share of trials and g(x) to the rest, draws candidates from l and
 * keeps the one with the highest l(x)/g(x).
 */
export function suggestTpe(params: readonly ParamSpec[], observations: readonly Observation[], rng: Rng, options: TpeOptions): Assignment {
  if (observations.length < Math.max(1, options.startupTrials)) return suggestRandom(params, rng);
  const candidates = options.candidates ?? 24;
  const gamma = options.gamma ?? 0.25;
  const sorted = [...observations].sort((a, b) => a.score - b.score);
  const nGood = Math.min(25, Math.max(1, Math.ceil(gamma * sorted.length)));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  const assignment: Assignment = {};
  for (const param of params) {
    const space = paramSpace(param);
    if (space.kind === 'numeric') {
      const values = (group: Observation[]) =>
        group.map((o) => o.params[param.name]).filter((v): v is number => typeof v === 'number').map((v) => toSpace(space, v));
      assignment[param.name] = suggestNumeric(space, values(good), values(bad), rng, candidates);
    } else {
      const indices = (group: Observation[]) => group.map((o) => choiceIndex(space, o.params[param.name]));
      assignment[param.name] = suggestChoice(space, indices(good), indices(bad), rng, candidates);
    }
  }
  return assignment;
}
