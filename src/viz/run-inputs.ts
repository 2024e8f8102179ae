// Reads what the pictures and the report need from a run folder, naming every missing file at once.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors.js';
import { getPreset } from '../models/index.js';
import type { Preset } from '../models/preset.js';
import { parseConfig, type TrainConfig } from '../train/config.js';
import { parseHistory, type HistoryRecord } from '../train/history.js';
import { runFiles, type RunMetrics } from '../train/run-layout.js';

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
    hint: 'pass a folder written by `mnist-lab train` (metrics.json and model/ appear when training ends; --resume finishes an interrupted run)',
  });
}

export interface RunInputs {
  runDir: string;
  config: TrainConfig;
  history: HistoryRecord[];
  /** Null while training is still running. */
  metrics: RunMetrics | null;
  /** Null when the preset is no longer in the registry (the run still renders, without zoom or schedule). */
  preset: Preset | null;
}

/** Reads config.json and history.jsonl (required) and metrics.json (when present). */
export async function readRunInputs(runDir: string, command: string): Promise<RunInputs> {
  requireRunFiles(runDir, ['config', 'history'], command);
  const files = runFiles(runDir);
  const config = parseConfig(await readJson(files.config), files.config);
  const history = parseHistory(await readFile(files.history, 'utf8'));
  const metrics = existsSync(files.metrics) ? ((await readJson(files.metrics)) as RunMetrics) : null;
  return { runDir, config, history, metrics, preset: presetOf(config) };
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LabError('BAD_INPUT', `${path} is not valid JSON (${(cause as Error).message})`, {
      hint: 'the file is damaged or was cut short; train the run again or restore the file',
      cause,
    });
  }
}

function presetOf(config: TrainConfig): Preset | null {
  try {
    return getPreset(config.preset, config.hp);
  } catch (error) {
    if (error instanceof LabError && error.code === 'UNKNOWN_PRESET') return null;
    throw error;
  }
}

/** What the codelab calls "validation", stated honestly for legends and titles. */
export function validationNote(config: TrainConfig, testCount = 10_000): string {
  return config.valLimit !== null && config.valLimit < testCount
    ? `first ${config.valLimit.toLocaleString('en-US')} test digits`
    : `${Math.round(testCount / 1000)}k test set`;
}
