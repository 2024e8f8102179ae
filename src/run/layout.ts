// Where each file of a run folder lives: every reader and writer of run folders goes through these names.
import { join } from 'node:path';

export const runFiles = (runDir: string) => ({
  /** RunConfig: which lab file ran, on which data, with which flags; written before anything trains. */
  config: join(runDir, 'config.json'),
  /** ProcessInfo of the process writing the run. */
  process: join(runDir, 'process.json'),
  /** History records, one JSON object a line. */
  history: join(runDir, 'history.jsonl'),
  /** The final model in TF.js format: model.json + weights.bin. */
  model: join(runDir, 'model'),
  /** RunMetrics, written when training completes. */
  metrics: join(runDir, 'metrics.json'),
  /** Checkpoint folders (model/, optimizer.json + .bin, state.json), the newest few kept. */
  checkpoints: join(runDir, 'checkpoints'),
  /** Pictures (PNG, charts also SVG). */
  pictures: join(runDir, 'pictures'),
  /** The self-contained HTML report. */
  report: join(runDir, 'report.html'),
});

export type RunFile = keyof ReturnType<typeof runFiles>;

/** The files of a lab folder (the runs of `mnist-lab lab`). */
export const labFiles = (labDir: string) => ({
  /** LabPlan: what `lab --resume` continues. */
  plan: join(labDir, 'lab-plan.json'),
  /** The table of results. */
  table: join(labDir, 'lab.json'),
  /** Every step's validation curves, rows linked to the reports. */
  compare: join(labDir, 'compare.html'),
});

/** Every name a run folder may hold: what `--force` may replace (and nothing else). */
export const RUN_ENTRIES: readonly string[] = [
  'config.json',
  'process.json',
  'history.jsonl',
  'model',
  'metrics.json',
  'checkpoints',
  'pictures',
  'report.html',
];

/** Every name a lab folder may hold besides its step folders. */
export const LAB_ENTRIES: readonly string[] = ['lab-plan.json', 'lab.json', 'compare.html', 'compare.png', 'compare.svg'];

/** The marker every HTML page mnist-lab writes carries in its head, so a later command may replace the page. */
export const PAGE_MARKER = '<meta name="generator" content="mnist-lab">';
