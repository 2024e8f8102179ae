// The guided lab's steps: the plumbing demo, then the lab files (lab/*.ts, bundled as text: the same files `mnist-lab run` runs).
import plumbing from '../steps/plumbing.ts?raw';

export interface Step {
  /** `01-softmax` … `10-conv-bn`, `mlengine`, or `plumbing`. */
  id: string;
  /** The name errors and stack traces give the code. */
  file: string;
  source: string;
}

const LAB_FILES = import.meta.glob<string>('../../../lab/*.ts', { query: '?raw', import: 'default', eager: true });

const labSteps: Step[] = Object.entries(LAB_FILES)
  .map(([path, source]) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { id: name.replace(/\.ts$/, ''), file: `lab/${name}`, source };
  })
  .sort((a, b) => a.id.localeCompare(b.id));

export const STEPS: readonly Step[] = [{ id: 'plumbing', file: 'steps/plumbing.ts', source: plumbing }, ...labSteps];
