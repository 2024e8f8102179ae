// `mnist-lab lab`: trains the ladder in order and tabulates accuracy against the codelab's numbers.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { DatasetName } from '../data/types.js';
import { getPreset, PRESET_NAMES } from '../models/index.js';
import type { Preset } from '../models/preset.js';
import { compareCommand } from '../report/compare.js';
import { hasCheckpoint } from '../train/checkpoint.js';
import type { TrainOverrides } from '../train/config.js';
import { train, type TrainRequest } from '../train/run.js';
import type { EpochRecord } from '../train/history.js';
import { runFiles, type RunMetrics } from '../train/run-layout.js';
import { formatTable, printJson, type CommandIo } from './io.js';
import { readPlan, writePlan } from './lab-plan.js';

export interface LabOptions {
  presets?: string[];
  overrides?: TrainOverrides;
  dataset?: DatasetName;
  dataDir?: string;
  /** Folder for the runs; default runs/lab-<time>. */
  out?: string;
  force?: boolean;
  /** A lab folder to continue: finished steps are kept, an interrupted one resumes, the rest train. */
  resume?: string;
  json?: boolean;
  onEpochEnd?: (runDir: string, record: EpochRecord) => Promise<void>;
}

export interface LabRow {
  preset: string;
  title: string;
  test_accuracy: number | null;
  expected: number;
  codelab: string;
  passed: boolean | null;
  seconds: number | null;
  backend: string | null;
  runDir: string;
  status: 'completed' | 'interrupted';
}

/** The ladder's own presets, in codelab order (mlengine is the cloud trainer, not a lab step). */
const LADDER = PRESET_NAMES.filter((n) => /^\d\d-/.test(n));

export async function labCommand(opts: LabOptions, io: CommandIo): Promise<LabRow[]> {
  const { labDir, plan } = opts.resume ? await readPlan(opts, io.cwd) : await writePlan(opts, io.cwd, LADDER);
  const presets = plan.presets.map((n) => getPreset(n));
  const log = opts.json ? io.stderr : io.stdout;
  const rows: LabRow[] = [];
  for (const preset of presets) {
    const runDir = join(labDir, preset.name);
    const finished = opts.resume ? await readMetrics(runDir) : null;
    if (finished) {
      log.write(`\n=== ${preset.name}: ${preset.title} (trained before: ${(finished.test_accuracy * 100).toFixed(2)}%) ===\n`);
      rows.push(labRow(preset, finished, runDir, 'completed'));
      continue;
    }
    log.write(`\n=== ${preset.name}: ${preset.title} ===\n`);
    const request: TrainRequest =
      opts.resume && (await hasCheckpoint(runFiles(runDir).checkpoints))
        ? { resume: runDir }
        : {
            preset: preset.name,
            overrides: plan.overrides,
            dataset: plan.dataset,
            dataDir: plan.dataDir,
            out: runDir,
            force: opts.force || Boolean(opts.resume),
          };
    const outcome = await train(request, { cwd: io.cwd, env: io.env, log, signal: io.signal, onEpochEnd: opts.onEpochEnd });
    rows.push(labRow(preset, outcome.metrics, outcome.runDir, outcome.status));
    if (outcome.status === 'interrupted') {
      log.write(`Continue the whole lab with \`mnist-lab lab --resume ${labDir}\`\n`);
      break;
    }
  }
  await writeFile(join(labDir, 'lab.json'), `${JSON.stringify(rows, null, 2)}\n`);
  const finished = rows.filter((r) => r.test_accuracy !== null).map((r) => r.runDir);
  // One page for the whole ladder: every step's validation curve overlaid, each row linked to its report.
  const page =
    finished.length === 0
      ? null
      : (await compareCommand({ runDirs: finished, out: { write: () => true }, outFile: join(labDir, 'compare.html') })).html;
  if (opts.json) printJson(io, rows);
  else {
    const runsFlag = dirname(labDir) === resolve(io.cwd, 'runs') ? '' : ` --runs-dir ${dirname(labDir)}`;
    io.stdout.write(`\n${formatLabTable(rows)}\n\nRuns in ${labDir}${page ? `\nThe ladder compared: ${page}` : ''}\n`);
    if (page) io.stdout.write(`Watch them and draw digits with the newest model: npx mnist-lab serve${runsFlag}\n`);
  }
  return rows;
}

function labRow(preset: Preset, m: RunMetrics | null, runDir: string, status: LabRow['status']): LabRow {
  return {
    preset: preset.name,
    title: preset.title,
    test_accuracy: m?.test_accuracy ?? null,
    expected: preset.expected.accuracy,
    codelab: preset.expected.claim,
    passed: m ? m.test_accuracy >= preset.expected.accuracy : null,
    seconds: m?.seconds ?? null,
    backend: m?.backend ?? null,
    runDir,
    status,
  };
}

async function readMetrics(runDir: string): Promise<RunMetrics | null> {
  try {
    return JSON.parse(await readFile(runFiles(runDir).metrics, 'utf8')) as RunMetrics;
  } catch {
    return null;
  }
}

export function formatLabTable(rows: LabRow[]): string {
  return formatTable([
    ['preset', 'test accuracy', 'pass bar', 'codelab', 'seconds', 'engine'],
    ...rows.map((r) => [
      r.preset,
      r.test_accuracy === null ? r.status : `${(r.test_accuracy * 100).toFixed(2)}%${r.passed ? '' : ' (below bar)'}`,
      `${(r.expected * 100).toFixed(1)}%`,
      r.codelab,
      r.seconds === null ? '-' : r.seconds.toFixed(0),
      r.backend ?? '-',
    ]),
  ]);
}
