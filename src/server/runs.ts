// Reads run folders for the dashboard: the list, one run's details, and its pictures, by validated id only.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { runFiles } from '../run/layout.js';
import type { z } from 'zod';
import { parseHistory, parseRunJson } from '../run/parse.js';
import { AnyRunConfigSchema, AnyRunMetricsSchema, type EpochRecord, type HistoryRecord, type RunConfig, type RunMetrics, type StartRecord } from '../run/schema.js';
import { containedFileNames, isContainedFile, readContained } from './contained-files.js';
import { runStatus, type LaunchedCheck, type RunStatus } from './run-status.js';

/**
 * A run's id: its folder's path under the runs folder, up to MAX_DEPTH names deep: a lab's steps are
 * lab-<time>/10-conv-bn, a study's trials study/trials/t001.
 */
const MAX_DEPTH = 3;
const NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,127}';
export const RUN_ID_PATTERN = new RegExp(`^${NAME}(?:/${NAME}){0,${MAX_DEPTH - 1}}$`);
const NAME_PATTERN = new RegExp(`^${NAME}$`);
const PICTURE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\.png$/;

export interface RunSummary {
  id: string;
  preset: string | null;
  status: RunStatus;
  startedAt: string | null;
  /** Epochs finished and planned. */
  epochsDone: number;
  epochsPlanned: number | null;
  metrics: RunMetrics | null;
}

export interface RunDetail extends RunSummary {
  /** config.json, or null when it is absent or damaged. */
  config: RunConfig | null;
  history: HistoryRecord[];
  /** File names under <run>/pictures, served at /api/runs/:id/pictures/:file. */
  pictures: string[];
  hasReport: boolean;
  /** Whether model/model.json exists (the run finished and saved its model). */
  hasModel: boolean;
}

/**
 * Every run folder under runsDir (a folder holding config.json or history.jsonl), newest first; the runs of a
 * folder that is not a run itself (a lab's) are listed as <folder>/<run>.
 */
export async function listRuns(runsDir: string, launched: LaunchedCheck): Promise<RunSummary[]> {
  const ids = await runIds(runsDir);
  const runs = await Promise.all(ids.map((id) => readSummary(runsDir, id, launched)));
  return runs
    .filter((run): run is RunSummary => run !== null)
    .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.id.localeCompare(a.id));
}

export async function readRunDetail(runsDir: string, id: string, launched: LaunchedCheck): Promise<RunDetail> {
  const dir = await findRunDir(runsDir, id);
  const files = runFiles(dir);
  const [config, history, pictures, hasReport, hasModel] = await Promise.all([
    readChecked(dir, files.config, AnyRunConfigSchema),
    readHistory(dir, files.history),
    containedFileNames(dir, files.pictures),
    isContainedFile(dir, files.report),
    isContainedFile(dir, join(files.model, 'model.json')),
  ]);
  const metrics = await readChecked(dir, files.metrics, AnyRunMetricsSchema);
  return {
    ...summarise(id, config, history, metrics, await runStatus(dir, history, metrics, launched(id))),
    config,
    history,
    pictures: pictures.filter((name) => PICTURE_PATTERN.test(name)).sort(),
    hasReport,
    hasModel,
  };
}

/**
 * The folder of run `id`. The id must match RUN_ID_PATTERN and be one of the folder names that runsDir
 * lists, so a request's text only ever selects among existing entries and never builds a path.
 */
export async function findRunDir(runsDir: string, id: string): Promise<string> {
  const ids = RUN_ID_PATTERN.test(id) ? await runIds(runsDir) : [];
  const match = ids.find((entry) => entry === id);
  if (match === undefined) {
    throw new LabError('RUN_NOT_FOUND', `no run ${JSON.stringify(id.slice(0, 128))} in the runs folder`, {
      hint: 'GET /api/runs lists the runs',
    });
  }
  return join(runsDir, match);
}

/** Bytes of one picture of a run; the name must be one of the regular files that <run>/pictures lists. */
export async function readRunPicture(runsDir: string, id: string, file: string): Promise<Buffer> {
  const runDir = await findRunDir(runsDir, id);
  const dir = runFiles(runDir).pictures;
  const names = PICTURE_PATTERN.test(file) ? await containedFileNames(runDir, dir) : [];
  const match = names.find((name) => name === file);
  const bytes = match === undefined ? null : await readContained(runDir, join(dir, match));
  if (bytes === null) {
    throw new LabError('RUN_NOT_FOUND', `run ${id} has no picture ${JSON.stringify(file.slice(0, 128))}`, {
      hint: `GET /api/runs/${id} lists its pictures`,
    });
  }
  return bytes;
}

export async function readRunReport(runsDir: string, id: string): Promise<Buffer> {
  const runDir = await findRunDir(runsDir, id);
  const bytes = await readContained(runDir, runFiles(runDir).report);
  if (bytes === null) {
    throw new LabError('RUN_NOT_FOUND', `run ${id} has no report.html yet`, {
      hint: 'the report is written when training ends (`mnist-lab report <run>`)',
    });
  }
  return bytes;
}

/**
 * The ids a request may name: every folder of runsDir (a run may not have written its files yet), and, down to
 * MAX_DEPTH, the folders inside one that is not a run itself (a lab's steps, a study's trials). listRuns drops
 * the ones that are not runs.
 */
async function runIds(runsDir: string, prefix = '', depth = 1): Promise<string[]> {
  const ids: string[] = [];
  for (const name of await folderNames(join(runsDir, prefix))) {
    const id = prefix === '' ? name : `${prefix}/${name}`;
    ids.push(id);
    if (depth < MAX_DEPTH && !(await isRunFolder(join(runsDir, id)))) ids.push(...(await runIds(runsDir, id, depth + 1)));
  }
  return ids;
}

async function folderNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && NAME_PATTERN.test(entry.name)).map((entry) => entry.name);
}

async function isRunFolder(dir: string): Promise<boolean> {
  const files = runFiles(dir);
  const found = await Promise.all([files.config, files.history].map((path) => isContainedFile(dir, path)));
  return found.some(Boolean);
}

/** The status of the run in folder `dir` (which may not exist yet, for a training still starting). */
export async function readRunStatus(dir: string, id: string, launched: LaunchedCheck): Promise<RunStatus> {
  const files = runFiles(dir);
  const [history, metrics] = await Promise.all([readHistory(dir, files.history), readChecked(dir, files.metrics, AnyRunMetricsSchema)]);
  return runStatus(dir, history, metrics, launched(id));
}

async function readSummary(runsDir: string, id: string, launched: LaunchedCheck): Promise<RunSummary | null> {
  const dir = join(runsDir, id);
  const files = runFiles(dir);
  const [config, history, metrics] = await Promise.all([
    readChecked(dir, files.config, AnyRunConfigSchema),
    readHistory(dir, files.history),
    readChecked(dir, files.metrics, AnyRunMetricsSchema),
  ]);
  if (config === null && history.length === 0) return null;
  const status = await runStatus(dir, history, metrics, launched(id));
  return summarise(id, config, history, metrics, status);
}

function summarise(id: string, config: RunConfig | null, history: HistoryRecord[], metrics: RunMetrics | null, status: RunStatus): RunSummary {
  const start = history.find((r): r is StartRecord => r.type === 'start');
  const epochs = history.filter((r): r is EpochRecord => r.type === 'epoch');
  return {
    id,
    preset: start?.step ?? config?.step.name ?? null,
    status,
    startedAt: start?.time ?? null,
    epochsDone: epochs.length,
    epochsPlanned: start?.epochs ?? null,
    metrics,
  };
}

/** A run's JSON file checked against its schema, or null when it is absent, not a regular file inside the run, or damaged. */
async function readChecked<S extends z.ZodType>(runDir: string, path: string, schema: S): Promise<z.output<S> | null> {
  try {
    const bytes = await readContained(runDir, path);
    return bytes === null ? null : parseRunJson(schema, bytes.toString('utf8'), path);
  } catch {
    return null;
  }
}

/** A run's history; a damaged file reads as empty here (the dashboard lists the run, its details show nothing). */
async function readHistory(runDir: string, path: string): Promise<HistoryRecord[]> {
  try {
    return parseHistory((await readContained(runDir, path))?.toString('utf8') ?? '', path);
  } catch {
    return [];
  }
}

