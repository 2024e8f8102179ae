// `mnist-lab lab`: trains the ladder in order and tabulates accuracy against the codelab's numbers.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getPreset, PRESET_NAMES } from '../models/index.js';
import { compareCommand } from '../report/compare.js';
import type { TrainOverrides } from '../train/config.js';
import { train } from '../train/run.js';
import type { EpochRecord } from '../train/history.js';
import { formatTable, printJson, type CommandIo } from './io.js';

export interface LabOptions {
  presets?: string[];
  overrides?: TrainOverrides;
  dataDir?: string;
  /** Folder for the runs; default runs/lab-<time>. */
  out?: string;
  force?: boolean;
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
  const names = opts.presets?.length ? opts.presets : LADDER;
  const presets = names.map((n) => getPreset(n)); // validates every name before any training starts
  const labDir = resolve(io.cwd, opts.out ?? `runs/lab-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`);
  const log = opts.json ? io.stderr : io.stdout;
  const rows: LabRow[] = [];
  for (const preset of presets) {
    log.write(`\n=== ${preset.name}: ${preset.title} ===\n`);
    const outcome = await train(
      { preset: preset.name, overrides: opts.overrides, dataDir: opts.dataDir, out: join(labDir, preset.name), force: opts.force },
      { cwd: io.cwd, env: io.env, log, signal: io.signal, onEpochEnd: opts.onEpochEnd },
    );
    const m = outcome.metrics;
    rows.push({
      preset: preset.name,
      title: preset.title,
      test_accuracy: m?.test_accuracy ?? null,
      expected: preset.expected.accuracy,
      codelab: preset.expected.claim,
      passed: m ? m.test_accuracy >= preset.expected.accuracy : null,
      seconds: m?.seconds ?? null,
      backend: m?.backend ?? null,
      runDir: outcome.runDir,
      status: outcome.status,
    });
    if (outcome.status === 'interrupted') break;
  }
  await writeFile(join(labDir, 'lab.json'), `${JSON.stringify(rows, null, 2)}\n`);
  const finished = rows.filter((r) => r.test_accuracy !== null).map((r) => r.runDir);
  // One page for the whole ladder: every step's validation curve overlaid, each row linked to its report.
  const page =
    finished.length === 0
      ? null
      : (await compareCommand({ runDirs: finished, out: { write: () => true }, outFile: join(labDir, 'compare.html') })).html;
  if (opts.json) printJson(io, rows);
  else io.stdout.write(`\n${formatLabTable(rows)}\n\nRuns in ${labDir}${page ? `\nThe ladder compared: ${page}` : ''}\n`);
  return rows;
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
