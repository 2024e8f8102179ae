// A lab file run against the clock (a speedrun's seed): no run folder, no pictures, each validation reported at once.
import { resolve } from 'node:path';
import { locateDataDir, type Env } from '../data/locate.js';
import { initBackend } from '../engine/backend.js';
import type { Trainer } from '../engine/types.js';
import { NO_OVERRIDES, type Overrides } from '../run/schema.js';
import type { RunSink } from '../run/sink.js';
import { withSession, type EngineProvider, type LabSession } from '../train/session.js';
import { installMathRandom, Rng } from '../util/rng.js';
import { checkHyperparameters } from './hyperparameter-flags.js';
import { fileDataSource, nodeEngine } from './node-session.js';
import { loadStep, runFailure } from './step-file.js';

export interface TimedRunRequest {
  /** A step name or a lab file's path. */
  step: string;
  seed: number;
  hp: Record<string, number>;
  dataDir?: string;
  /** --limit and --val-limit (a short check on a subset); the rest of the file's recipe stands. */
  overrides?: Partial<Pick<Overrides, 'limit' | 'valLimit'>>;
  threads?: number;
}

/** One validation, reported the moment its result is known. */
export interface TimedEvaluation {
  /** Training steps done before it. */
  step: number;
  accuracy: number;
  loss: number;
  /** Milliseconds spent in validations so far, this one included. */
  evaluationMs: number;
}

export interface TimedRunEvents {
  /** Data loaded, model built and compiled: the first training step comes next. */
  onStart(): void;
  onEvaluation(evaluation: TimedEvaluation): void;
}

/** What the counting engine has seen: training steps taken, milliseconds spent validating. */
interface Counts {
  steps: number;
  evaluationMs: number;
}

/** The Node engine, with its training steps and the time its validations take counted. */
function counting(engine: EngineProvider, counts: Counts): EngineProvider {
  return {
    predictor: (model) => engine.predictor(model),
    async trainer(model, spec) {
      const choice = await engine.trainer(model, spec);
      const inner = choice.trainer;
      const trainer: Trainer = {
        engine: inner.engine,
        step(xs, labels, lr, seed) {
          counts.steps++;
          return inner.step(xs, labels, lr, seed);
        },
        async evaluate(xs, labels, count) {
          const started = performance.now();
          const result = await inner.evaluate(xs, labels, count);
          counts.evaluationMs += performance.now() - started;
          return result;
        },
        syncToModel: () => inner.syncToModel(),
        getOptimizerState: () => inner.getOptimizerState(),
        setOptimizerState: (state) => inner.setOptimizerState(state),
        dispose: () => inner.dispose(),
      };
      return { ...choice, trainer };
    },
  };
}

/**
 * Runs a lab file's cells the way `mnist-lab run` trains it (same data, engine, seed and recipe) with nothing kept:
 * records go nowhere but to `events`, checkpoints are not written, pictures not drawn, output not printed. The data
 * starts loading at once, while the engine and the file load.
 */
export async function runTimed(request: TimedRunRequest, io: { cwd: string; env: Env }, events: TimedRunEvents): Promise<void> {
  const overrides: Overrides = { ...NO_OVERRIDES, ...request.overrides };
  const dir = resolve(io.cwd, locateDataDir({ dataDir: request.dataDir, env: io.env, dataset: 'mnist' }));
  const data = fileDataSource({ dir, dataset: 'mnist', overrides });
  // Loading begins now; fit awaits the same promise and reports its failure.
  data.load().catch(() => undefined);
  await initBackend({ backend: 'auto', threads: request.threads });
  const step = await loadStep(request.step, { cwd: io.cwd, typecheck: false });
  checkHyperparameters(step, request.hp);

  const counts: Counts = { steps: 0, evaluationMs: 0 };
  const sink: RunSink = {
    keepsCheckpoints: false,
    async append(record) {
      if (record.type === 'start') events.onStart();
      if (record.type === 'epoch') events.onEvaluation({ step: counts.steps, accuracy: record.val_accuracy, loss: record.val_loss, evaluationMs: counts.evaluationMs });
    },
    saveCheckpoint: async () => undefined,
    resumeFrom: async () => null,
  };
  const rng = new Rng(request.seed);
  const session: LabSession = {
    stepName: step.name,
    seed: request.seed,
    rng,
    overrides,
    hp: request.hp,
    data,
    engine: counting(nodeEngine, counts),
    sink,
    pictures: null,
    out: { write: () => true },
    live: false,
    signal: new AbortController().signal,
    threads: request.threads ?? null,
    describe: false,
    fits: [],
  };
  const restore = installMathRandom(rng);
  try {
    await withSession(session, step.main);
  } catch (error) {
    throw runFailure(step, error);
  } finally {
    restore();
    session.fits.forEach((fit) => fit.model.dispose());
  }
}
