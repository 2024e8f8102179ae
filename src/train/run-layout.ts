// Where each file of a run folder lives; every writer and reader of run folders goes through these names.
import { join } from 'node:path';

export const runFiles = (runDir: string) => ({
  /** The resolved TrainConfig, written before the first step. */
  config: join(runDir, 'config.json'),
  /** RunProcess: which process writes the run, written as soon as the folder is claimed. */
  process: join(runDir, 'process.json'),
  /** HistoryRecord lines (see history.ts). */
  history: join(runDir, 'history.jsonl'),
  /** Final model in TF.js format: model.json + weights.bin. */
  model: join(runDir, 'model'),
  /** RunMetrics, written when training ends. */
  metrics: join(runDir, 'metrics.json'),
  /** One folder per epoch: model/, optimizer weights and the state needed to resume. */
  checkpoints: join(runDir, 'checkpoints'),
  /** Pictures and the HTML report. */
  pictures: join(runDir, 'pictures'),
  report: join(runDir, 'report.html'),
});

/** metrics.json: the outcome of a run on the 10k test set. */
export interface RunMetrics {
  preset: string;
  dataset: string;
  test_accuracy: number;
  test_loss: number;
  /** Misclassified test digits out of 10,000. */
  errors: number;
  epochs: number;
  steps: number;
  seconds: number;
  images_per_second: number;
  backend: string;
  status: 'completed' | 'interrupted';
}

/** process.json: the liveness marker readers use to tell a running run from one whose process died. */
export interface RunProcess {
  pid: number;
  /** os.hostname() of the machine the process runs on (a pid means nothing on another machine). */
  hostname: string;
  /** ISO time the process claimed the folder. */
  started: string;
}
