// The study loop: keeps maxParallelTrials trials running, suggests each new one from the results so far, applies the median rule, records results.
import { LabError } from '../errors.js';
import type { TrialExecutor } from './executor.js';
import { shouldStopByMedian } from './median-stop.js';
import { makeSampler, type Observation } from './search/sampler.js';
import type { StudyStore, TrialResult, TrialSpec } from './store.js';
import { trainArgs } from './trial-command.js';

export interface StudySummary {
  dir: string;
  completed: number;
  stopped: number;
  failed: number;
  best: TrialResult | null;
}

export interface RunStudyOptions {
  /** One line per finished trial goes here. */
  log: (line: string) => void;
  signal?: AbortSignal;
}

function formatParams(result: TrialResult): string {
  return Object.entries(result.params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(' ');
}

function summarize(store: StudyStore): StudySummary {
  const results = store.results();
  const count = (status: TrialResult['status']) => results.filter((r) => r.status === status).length;
  return { dir: store.dir, completed: count('completed'), stopped: count('stopped'), failed: count('failed'), best: store.best() };
}

/** Runs (or resumes) the study in `store` until it has maxTrials results. */
export async function runStudy(store: StudyStore, executor: TrialExecutor, options: RunStudyOptions): Promise<StudySummary> {
  const { study } = store;
  const suggest = makeSampler(study);
  const sign = study.goal === 'MINIMIZE' ? 1 : -1;
  const observations = (): Observation[] =>
    store.results().flatMap((r) => (r.objective === null || r.status === 'failed' ? [] : [{ params: r.params, score: sign * r.objective }]));
  const completedCurves = () => store.results().filter((r) => r.status === 'completed').map((r) => r.intermediate);

  const queue: TrialSpec[] = store.pending();
  if (queue.length) options.log(`resuming: ${queue.length} unfinished trial(s) run again: ${queue.map((t) => t.id).join(', ')}`);
  const inFlight = new Map<string, Promise<void>>();
  let fatal: LabError | null = null;
  let closing = false;

  const nextTrial = (): TrialSpec | null => {
    const queued = queue.shift();
    if (queued) return queued;
    if (store.trials().length >= study.maxTrials) return null;
    return store.addTrial(suggest(store.trials().length + 1, observations()));
  };

  const launch = (trial: TrialSpec) => {
    const control = {
      onIntermediate: (values: number[]) =>
        study.earlyStopping === 'median' &&
        shouldStopByMedian({ values, completed: completedCurves(), goal: study.goal, minCompleted: study.earlyStoppingMinTrials }),
    };
    const task = executor.run(trial, trainArgs(study, trial.params), control).then((result) => {
      if (closing) return; // ended by the shutdown: stays pending for --resume
      if (!store.addResult(result)) return;
      const value = result.objective === null ? '-' : Number(result.objective.toPrecision(5));
      options.log(`${result.id} ${result.status.padEnd(9)} ${study.metric}=${value}  ${formatParams(result)}${result.error ? `  (${result.error.split('\n')[0]})` : ''}`);
      if (result.status === 'failed' && result.exitCode === 2 && summarize(store).completed === 0) {
        fatal = new LabError('BAD_INPUT', `trial ${result.id} was rejected by the training command: ${result.error}`, {
          hint: 'check preset, args and param names in the study file: each param name is a `mnist-lab train` flag without the dashes',
        });
      }
    });
    inFlight.set(trial.id, task.finally(() => inFlight.delete(trial.id)));
  };

  const aborted = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    for (;;) {
      while (!fatal && !options.signal?.aborted && inFlight.size < study.maxParallelTrials) {
        const trial = nextTrial();
        if (!trial) break;
        launch(trial);
      }
      if (inFlight.size === 0) break;
      await Promise.race([...inFlight.values(), aborted]);
      if (fatal || options.signal?.aborted) break;
    }
  } finally {
    closing = true;
    await executor.close();
    await Promise.allSettled(inFlight.values());
  }
  if (fatal) throw fatal;
  if (options.signal?.aborted) {
    throw new LabError('INTERRUPTED', `study ${store.dir} interrupted; finished trials are kept`, {
      hint: `run the same command with --resume to continue it`,
      exitCode: 130,
    });
  }
  return summarize(store);
}
