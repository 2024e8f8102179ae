// The lab's steps for tests: a step's model and recipe as its lab file builds them (described, not trained).
import type * as tf from '@tensorflow/tfjs';
import { describeStepFile } from '../../src/runner/describe-step.js';
import type { TrainingPlan } from '../../src/train/session.js';
import { REPO_ROOT } from './paths.js';

/** The model (weights from seed 0) and recipe of a step or lab file; the caller disposes plan.model. */
export const stepPlan = (name: string, hp: Record<string, number> = {}): Promise<TrainingPlan> => describeStepFile(name, hp, REPO_ROOT);

/** Just the model. */
export async function stepModel(name: string, hp: Record<string, number> = {}): Promise<tf.Sequential> {
  return (await stepPlan(name, hp)).model as tf.Sequential;
}
