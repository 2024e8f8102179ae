// The guided lab's steps: the lab files (lab/*.ts, bundled as text: the same files `mnist-lab run` runs) with their `about`.
import type { StepInfo } from '../../../src/run/schema.js';
import LAB_STEPS from 'virtual:lab-steps';

export interface Step {
  /** `01-softmax` … `10-conv-bn`, `mlengine`. */
  id: string;
  /** The name errors and stack traces give the code: `lab/<id>.ts`. */
  file: string;
  source: string;
  /** What the file says about itself (its `about` export), read when the site was built. */
  about: StepInfo | null;
}

const SOURCES = import.meta.glob<string>('../../../lab/*.ts', { query: '?raw', import: 'default', eager: true });

export const STEPS: readonly Step[] = LAB_STEPS.map(({ id, about }) => {
  const source = SOURCES[`../../../lab/${id}.ts`];
  if (source === undefined) throw new Error(`lab/${id}.ts is not in the bundle`);
  return { id, file: `lab/${id}.ts`, source, about };
});
