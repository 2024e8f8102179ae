// The lab's own steps: their names in codelab order and the lab file each lives in.
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

/** The codelab's ten steps, in order: what `mnist-lab lab` trains by default. */
export const LADDER = [
  '01-softmax',
  '02-sigmoid',
  '03-relu-adam',
  '04-adam-fast',
  '05-lr-decay',
  '06-deeper',
  '07-dense-dropout',
  '08-conv',
  '09-conv-dropout',
  '10-conv-bn',
] as const;

/** The steps beyond the codelab: a record single model, and the speedrun. */
export const BEYOND = ['11-beyond', '12-speedrun'] as const;

/** Every step mnist-lab ships: the ladder, the steps beyond it, then the cloud trainer. */
export const STEP_NAMES: readonly string[] = [...LADDER, ...BEYOND, 'mlengine'];

export const isStepName = (name: string): boolean => STEP_NAMES.includes(name);

/** The folder of the lab files (lab/ in the package). */
export const labFolder = (): string => join(packageRoot(), 'lab');

/** The lab file of a step; an unknown name lists the steps. */
export function stepFile(name: string): string {
  if (!isStepName(name)) {
    throw new LabError('UNKNOWN_PRESET', `unknown step ${JSON.stringify(name)}; the steps are: ${STEP_NAMES.join(', ')}`, {
      hint: 'run `mnist-lab models` to see each step, or pass the path of your own lab file to `mnist-lab run`',
    });
  }
  return join(labFolder(), `${name}.ts`);
}
