// The search space of a study: how each parameter type maps to a sampling space and back to a flag value.
import type { Rng } from '../../util/rng.js';
import type { ParamSpec } from '../study.js';

/** A numeric parameter's sampling interval: log-space for UNIT_LOG_SCALE, widened by ½ for integers so each integer gets an equal share. */
export interface NumericSpace {
  kind: 'numeric';
  low: number;
  high: number;
  log: boolean;
  integer: boolean;
  min: number;
  max: number;
}

/** DISCRETE and CATEGORICAL parameters: a finite list of values, sampled by index. */
export interface ChoiceSpace {
  kind: 'choice';
  values: readonly (number | string)[];
}

export type ParamSpace = NumericSpace | ChoiceSpace;

export function paramSpace(param: ParamSpec): ParamSpace {
  if (param.type === 'DISCRETE') return { kind: 'choice', values: param.discreteValues };
  if (param.type === 'CATEGORICAL') return { kind: 'choice', values: param.categoricalValues };
  const integer = param.type === 'INTEGER';
  const log = param.scaleType === 'UNIT_LOG_SCALE';
  const widen = integer ? 0.5 : 0;
  const map = (v: number) => (log ? Math.log(v) : v);
  return {
    kind: 'numeric',
    low: map(param.minValue - widen),
    high: map(param.maxValue + widen),
    log,
    integer,
    min: param.minValue,
    max: param.maxValue,
  };
}

/** A value in sampling space → the flag value: undo the log, round integers, clamp to [minValue, maxValue]. */
export function fromSpace(space: NumericSpace, x: number): number {
  const value = space.log ? Math.exp(x) : x;
  const rounded = space.integer ? Math.round(value) : value;
  return Math.min(space.max, Math.max(space.min, rounded));
}

/** A flag value → sampling space. */
export function toSpace(space: NumericSpace, value: number): number {
  return space.log ? Math.log(value) : value;
}

/** One uniform draw in the parameter's space (uniform in log for UNIT_LOG_SCALE). */
export function sampleUniform(space: ParamSpace, rng: Rng): number | string {
  if (space.kind === 'choice') return space.values[rng.int(space.values.length)];
  return fromSpace(space, space.low + rng.next() * (space.high - space.low));
}

/** Index of a value in a choice space (-1 when it is not one of the choices). */
export function choiceIndex(space: ChoiceSpace, value: number | string): number {
  return space.values.findIndex((v) => v === value);
}
