// Picks the study's search method and gives each trial number its own seeded generator, so suggestions replay on resume.
import { Rng } from '../../util/rng.js';
import type { Assignment, Study } from '../study.js';
import { suggestRandom } from './random.js';
import { suggestTpe, type Observation } from './tpe.js';

export type { Observation } from './tpe.js';

/** Suggests values for trial `trialNumber` (1-based) given the finished trials so far. */
export type Suggest = (trialNumber: number, observations: readonly Observation[]) => Assignment;

/** A generator for one trial, derived from the study seed and the trial number. */
export function trialRng(seed: number, trialNumber: number): Rng {
  return new Rng((seed ^ Math.imul(trialNumber, 0x9e3779b1)) >>> 0);
}

export function makeSampler(study: Pick<Study, 'algorithm' | 'params' | 'seed' | 'startupTrials'>): Suggest {
  return (trialNumber, observations) => {
    const rng = trialRng(study.seed, trialNumber);
    return study.algorithm === 'tpe'
      ? suggestTpe(study.params, observations, rng, { startupTrials: study.startupTrials })
      : suggestRandom(study.params, rng);
  };
}
