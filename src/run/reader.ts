// Reads run folders and lab folders, every file checked against its schema (BAD_RUN_FILE names the file and field).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors.js';
import { labFiles, runFiles } from './layout.js';
import { parseHistory, parseRunJson } from './parse.js';
import {
  AnyRunConfigSchema,
  AnyRunMetricsSchema,
  LabPlanSchema,
  LabTableSchema,
  ProcessInfoSchema,
  type HistoryRecord,
  type LabPlan,
  type LabRow,
  type ProcessInfo,
  type RunConfig,
  type RunMetrics,
} from './schema.js';

export type RunPart = 'config' | 'history' | 'metrics' | 'model';

/** The path a part lives at (the model is checked by its model.json). */
function partPath(runDir: string, part: RunPart): string {
  const files = runFiles(runDir);
  return part === 'model' ? `${files.model}/model.json` : files[part];
}

/** Throws RUN_INCOMPLETE listing every required part that is absent. */
export function requireRunFiles(runDir: string, parts: readonly RunPart[], command: string): void {
  const missing = parts.map((p) => partPath(runDir, p)).filter((path) => !existsSync(path));
  if (missing.length === 0) return;
  throw new LabError('RUN_INCOMPLETE', `${command}: run folder ${runDir} is missing ${missing.length} file(s):\n  ${missing.join('\n  ')}`, {
    hint: 'pass a folder written by `mnist-lab train` or `mnist-lab run` (metrics.json and model/ appear when training ends; --resume finishes an interrupted run)',
  });
}

/** config.json (either version, read as the current one). */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const path = runFiles(runDir).config;
  return parseRunJson(AnyRunConfigSchema, await readFile(path, 'utf8'), path);
}

/** history.jsonl's records (empty when the file is absent: the run has not started training). */
export async function readHistory(runDir: string): Promise<HistoryRecord[]> {
  const path = runFiles(runDir).history;
  const text = await readFile(path, 'utf8').catch(() => '');
  return parseHistory(text, path);
}

/** metrics.json, or null before the run has completed. */
export async function readMetrics(runDir: string): Promise<RunMetrics | null> {
  const path = runFiles(runDir).metrics;
  if (!existsSync(path)) return null;
  return parseRunJson(AnyRunMetricsSchema, await readFile(path, 'utf8'), path);
}

/** process.json, or null (runs from before it existed). */
export async function readProcessInfo(runDir: string): Promise<ProcessInfo | null> {
  const path = runFiles(runDir).process;
  if (!existsSync(path)) return null;
  return parseRunJson(ProcessInfoSchema, await readFile(path, 'utf8'), path);
}

/** What pictures, reports and comparisons read: config and history (required) and metrics (when present). */
export interface RunRecord {
  runDir: string;
  config: RunConfig;
  history: HistoryRecord[];
  /** Null while training is still running or when it did not complete. */
  metrics: RunMetrics | null;
}

export async function readRun(runDir: string, command: string): Promise<RunRecord> {
  requireRunFiles(runDir, ['config', 'history'], command);
  const [config, history, metrics] = await Promise.all([readRunConfig(runDir), readHistory(runDir), readMetrics(runDir)]);
  return { runDir, config, history, metrics };
}

/** A lab folder's lab-plan.json. */
export async function readLabPlan(labDir: string): Promise<LabPlan> {
  const path = labFiles(labDir).plan;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LabError('RUN_INCOMPLETE', `no readable ${path}`, {
      hint: 'pass a folder written by `mnist-lab lab` (runs/lab-<time>)',
      cause,
    });
  }
  return parseRunJson(LabPlanSchema, text, path);
}

/** A lab folder's lab.json (the table `mnist-lab lab` printed). */
export async function readLabTable(labDir: string): Promise<LabRow[]> {
  const path = labFiles(labDir).table;
  return parseRunJson(LabTableSchema, await readFile(path, 'utf8'), path);
}
