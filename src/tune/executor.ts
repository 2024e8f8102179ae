// What the tuner needs from a way of running trials (the local pool or the BullMQ queue).
import type { TrialResult, TrialSpec } from './store.js';

export interface TrialControl {
  /** Called with the trial's intermediate objectives so far; returning true stops the trial early. */
  onIntermediate(values: number[]): boolean;
}

export interface TrialExecutor {
  /** Runs one trial to its end and resolves with its result; rejects only when the executor itself breaks. */
  run(trial: TrialSpec, args: string[], control: TrialControl): Promise<TrialResult>;
  /** Ends running trials (they stay pending in the study and run again on --resume) and releases resources. */
  close(): Promise<void>;
}

/** A TrialResult for a trial, from what the trial process reported. */
export function toResult(trial: TrialSpec, outcome: Omit<TrialResult, 'id' | 'number' | 'params' | 'finishedAt'>): TrialResult {
  return { id: trial.id, number: trial.number, params: trial.params, ...outcome, finishedAt: new Date().toISOString() };
}
