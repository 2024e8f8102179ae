// Random search: every parameter drawn independently and uniformly (log-uniformly on UNIT_LOG_SCALE).
import type { Rng } from '../../util/rng.js';
import type { Assignment, ParamSpec } from '../study.js';
import { paramSpace, sampleUniform } from './space.js';

export function suggestRandom(params: readonly ParamSpec[], rng: Rng): Assignment {
  return Object.fromEntries(params.map((param) => [param.name, sampleUniform(paramSpace(param), rng)]));
}
