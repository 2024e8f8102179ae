// Describes a lab step without training it: runs the file's cells up to fit, which records the model and the recipe.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.js';
import { describeLabFile, type TrainingPlan } from '../train/session.js';
import { checkHyperparameters } from './hyperparameter-flags.js';
import { loadStep, type LabStep } from './step-file.js';

/**
 * What a step trains: its model (built, not trained; the caller disposes it) and recipe, as fit sees them. The file
 * runs in a session that loads no data and stops at fit; nothing is written.
 */
export async function describeStep(step: LabStep, hp: Record<string, number> = {}): Promise<TrainingPlan> {
  checkHyperparameters(step, hp);
  // Building layers creates their weights, so an engine must be up: the active one, else the pure-JS one.
  if (!tf.engine().backendName) await initBackend({ backend: 'cpu' });
  return describeLabFile(step.main, { file: step.file, stepName: step.name, hp });
}

/** The plan of a shipped step or a lab file by name or path (benchmarks, tests, `mnist-lab summary`). */
export async function describeStepFile(arg: string, hp: Record<string, number> = {}, cwd = process.cwd()): Promise<TrainingPlan> {
  return describeStep(await loadStep(arg, { cwd, typecheck: false }), hp);
}
