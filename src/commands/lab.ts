// `mnist-lab lab`: trains the ladder in order, over one or more seeds, and tabulates accuracy against the codelab.
import { dirname, join, resolve } from 'node:path';
import { hasCheckpoint } from '../run/checkpoints.js';
import { labFiles, runFiles } from '../run/layout.js';
import { readMetrics, readRunConfig } from '../run/reader.js';
import type { LabPlan, LabRow, LabRun, ResolvedStepInfo, RunMetrics } from '../run/schema.js';
import { writeLabTable } from '../run/writer.js';
import { runStep, type RunRequest } from '../runner/run-step.js';
import { spread } from '../util/stats.js';
import { compareCommand } from './compare.js';
import { formatTable, printJson, type CommandIo } from './io.js';
import { readPlan, writePlan } from './lab-plan.js';

export type { LabRow, LabRun };

export interface LabOptions {
  /** A new lab's plan (ignored with resume). */
  plan: LabPlan;
  /** Folder for the runs; default runs/lab-<time>. */
  out?: string;
  force?: boolean;
  /** A lab folder to continue: finished runs are kept, an interrupted one resumes, the rest train. */
  resume?: string;
  /** Flags typed alongside --resume (refused by name). */
  given?: readonly string[];
  json?: boolean;
}

/** Where a seed's run goes: the step's folder itself for a one-seed lab, else a seed-<n> folder inside it. */
const runDirOf = (labDir: string, step: string, seed: number, seeds: readonly number[]) =>
  seeds.length === 1 ? join(labDir, step) : join(labDir, step, `seed-${seed}`);

function rowOf(step: string, about: ResolvedStepInfo | null, runs: LabRun[]): LabRow {
  const done = runs.filter((r) => r.test_accuracy !== null);
  const accuracy = done.length ? spread(done.map((r) => r.test_accuracy as number)) : null;
  const passBar = about?.passBar ?? null;
  return {
    step,
    title: about?.title ?? null,
    runs,
    accuracy,
    passBar,
    codelab: about?.codelab ?? null,
    passed: accuracy && passBar !== null && done.length === runs.length ? accuracy.mean >= passBar : null,
    seconds: done.length ? spread(done.map((r) => r.seconds as number)).mean : null,
  };
}

const runOf = (seed: number, runDir: string, m: RunMetrics | null, status: LabRun['status']): LabRun => ({
  seed,
  test_accuracy: m?.test_accuracy ?? null,
  seconds: m?.seconds ?? null,
  engine: m?.engine ?? null,
  runDir,
  status,
});

export async function labCommand(opts: LabOptions, io: CommandIo): Promise<LabRow[]> {
  const { labDir, plan } = opts.resume
    ? await readPlan(opts.resume, { cwd: io.cwd, given: opts.given ?? [] })
    : { labDir: await writePlan(opts.plan, { cwd: io.cwd, out: opts.out, force: opts.force ?? false }), plan: opts.plan };
  const log = opts.json ? io.stderr : io.stdout;
  const rows: LabRow[] = [];
  let interrupted = false;
  for (const step of plan.steps) {
    const runs: LabRun[] = [];
    let about: ResolvedStepInfo | null = null;
    for (const seed of plan.seeds) {
      const runDir = runDirOf(labDir, step, seed, plan.seeds);
      if (interrupted) {
        runs.push(runOf(seed, runDir, null, 'pending'));
        continue;
      }
      const finished = opts.resume ? await readMetrics(runDir).catch(() => null) : null;
      const label = plan.seeds.length > 1 ? ` (seed ${seed})` : '';
      if (finished) {
        log.write(`\n=== ${step}${label}: trained before: ${(finished.test_accuracy * 100).toFixed(2)}% ===\n`);
        runs.push(runOf(seed, runDir, finished, 'completed'));
        continue;
      }
      log.write(`\n=== ${step}${label} ===\n`);
      const resumable = opts.resume !== undefined && (await hasCheckpoint(runFiles(runDir).checkpoints));
      const request: RunRequest = resumable
        ? { resume: runDir }
        : {
            step,
            overrides: plan.overrides,
            seed,
            dataset: plan.dataset,
            dataDir: plan.dataDir ?? undefined,
            backend: plan.backend,
            threads: plan.threads ?? undefined,
            pictures: plan.pictures,
            out: runDir,
            force: true,
          };
      const outcome = await runStep(request, { cwd: io.cwd, env: io.env, log, signal: io.signal });
      about = outcome.step.about;
      runs.push(runOf(seed, outcome.runDir, outcome.metrics, outcome.status));
      if (outcome.status === 'interrupted') {
        log.write(`Continue the whole lab with \`mnist-lab lab --resume ${labDir}\`\n`);
        interrupted = true;
      }
    }
    rows.push(rowOf(step, about ?? (await aboutOf(runs)), runs));
  }
  await writeLabTable(labDir, rows);
  const firstSeedRuns = rows.flatMap((r) => r.runs.slice(0, 1)).filter((r) => r.status === 'completed').map((r) => r.runDir);
  // One page for the whole ladder: every step's validation curve overlaid (the first seed's), each row linked to its report.
  const page =
    firstSeedRuns.length === 0
      ? null
      : (await compareCommand({ runDirs: firstSeedRuns, out: { write: () => true }, outFile: labFiles(labDir).compare })).html;
  if (opts.json) printJson(io, rows);
  else {
    const runsFlag = dirname(labDir) === resolve(io.cwd, 'runs') ? '' : ` --runs-dir ${dirname(labDir)}`;
    io.stdout.write(`\n${formatLabTable(rows)}\n\nRuns in ${labDir}${page ? `\nThe ladder compared: ${page}` : ''}\n`);
    if (page) io.stdout.write(`Watch them and draw digits with the newest model: npx mnist-lab serve${runsFlag}\n`);
  }
  return rows;
}

/** A step's about from a run trained before (its config.json keeps it). */
async function aboutOf(runs: LabRun[]): Promise<ResolvedStepInfo | null> {
  for (const run of runs) {
    const config = await readRunConfig(run.runDir).catch(() => null);
    if (config?.about) return config.about;
  }
  return null;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
/** A pass bar with the digits it was set with (99.65%, 97.5%, 89%): rounding 0.9965 to 99.7% misstated it. */
const barPct = (x: number) => `${Number((x * 100).toFixed(2))}%`;

/** The lab's table as printed: a row a step, accuracy over its seeds against the step's pass bar. */
export function formatLabTable(rows: LabRow[]): string {
  const seeds = Math.max(...rows.map((r) => r.runs.length));
  const accuracyCell = (r: LabRow): string => {
    if (!r.accuracy) return r.runs.some((x) => x.status === 'interrupted') ? 'interrupted' : 'pending';
    const text = seeds === 1 ? pct(r.accuracy.mean) : `${pct(r.accuracy.mean)} ± ${(r.accuracy.std * 100).toFixed(2)} (${pct(r.accuracy.min)}-${pct(r.accuracy.max)})`;
    return `${text}${r.passed === false ? ' (below bar)' : ''}`;
  };
  return formatTable([
    ['step', seeds === 1 ? 'test accuracy' : `test accuracy, mean ± sd (range) of ${seeds} seeds`, 'pass bar', 'codelab', 'seconds', 'engine'],
    ...rows.map((r) => [
      r.step,
      accuracyCell(r),
      r.passBar === null ? '-' : barPct(r.passBar),
      r.codelab ?? '',
      r.seconds === null ? '-' : r.seconds.toFixed(0),
      r.runs.find((x) => x.engine)?.engine ?? '-',
    ]),
  ]);
}
