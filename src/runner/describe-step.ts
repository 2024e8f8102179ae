// Describes a lab step without training it: runs the file's cells up to fit, which records the model and the recipe.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.js';
import { LabError } from '../errors.js';
import { MemorySink } from '../run/sink.js';
import { NO_OVERRIDES } from '../run/schema.js';
import { DescribeStop, withSession, type LabSession, type TrainingPlan } from '../train/session.js';
import { installMathRandom, Rng } from '../util/rng.js';
import { checkHyperparameters } from './hyperparameter-flags.js';
import { nodeEngine } from './node-session.js';
import { loadStep, type LabStep } from './step-file.js';

/** Counts of the MNIST-format sets, all a description needs of the data. */
const COUNTS = { train: 60_000, test: 10_000 };

/**
 * What a step trains: its model (built, not trained; the caller disposes it) and recipe, as fit sees them. The file
 * runs in a session that loads no data and stops at fit; nothing is written.
 */
export async function describeStep(step: LabStep, hp: Record<string, number> = {}): Promise<TrainingPlan> {
  checkHyperparameters(step, hp);
  // Building layers creates their weights, so an engine must be up: the active one, else the pure-JS one.
  if (!tf.engine().backendName) await initBackend({ backend: 'cpu' });
  const noData = (): never => {
    throw new LabError('BAD_LAB_FILE', `${step.file} reads the data before fit; describing a step loads none`, {
      hint: 'keep data loading inside lab.fit and the cells after it',
    });
  };
  const rng = new Rng(0);
  const session: LabSession = {
    stepName: step.name,
    seed: 0,
    rng,
    overrides: NO_OVERRIDES,
    hp,
    data: { counts: COUNTS, load: noData, stream: noData },
    engine: nodeEngine,
    sink: new MemorySink(),
    pictures: null,
    out: { write: () => true },
    live: false,
    signal: new AbortController().signal,
    threads: null,
    describe: true,
    fits: [],
  };
  const restore = installMathRandom(rng);
  try {
    await withSession(session, step.main);
  } catch (error) {
    if (error instanceof DescribeStop) return error.plan;
    throw error;
  } finally {
    restore();
  }
  throw new LabError('BAD_LAB_FILE', `${step.file} trained nothing: it never called lab.fit(model, …)`, {
    hint: 'train with `await lab.fit(model, training, { epochs, validationData })`',
  });
}

/** The plan of a shipped step or a lab file by name or path (benchmarks, tests, `mnist-lab summary`). */
export async function describeStepFile(arg: string, hp: Record<string, number> = {}, cwd = process.cwd()): Promise<TrainingPlan> {
  return describeStep(await loadStep(arg, { cwd, typecheck: false }), hp);
}
