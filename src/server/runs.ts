// Reads run folders for the dashboard: the list, one run's details, and its pictures, by validated id only.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { runFiles } from '../run/layout.js';
import { checkRunValue, parseHistory } from '../run/parse.js';
import { AnyRunMetricsSchema, type EpochRecord, type HistoryRecord, type RunMetrics, type StartRecord } from '../run/schema.js';
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
  config: unknown;
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
    readJson(dir, files.config),
    readHistory(dir, files.history),
    containedFileNames(dir, files.pictures),
    isContainedFile(dir, files.report),
    isContainedFile(dir, join(files.model, 'model.json')),
  ]);
  const metrics = await readMetrics(dir, files.metrics);
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
  const [history, metrics] = await Promise.all([readHistory(dir, files.history), readMetrics(dir, files.metrics)]);
  return runStatus(dir, history, metrics, launched(id));
}

async function readSummary(runsDir: string, id: string, launched: LaunchedCheck): Promise<RunSummary | null> {
  const dir = join(runsDir, id);
  const files = runFiles(dir);
  const [config, history, metrics] = await Promise.all([
    readJson(dir, files.config),
    readHistory(dir, files.history),
    readMetrics(dir, files.metrics),
  ]);
  if (config === null && history.length === 0) return null;
  const status = await runStatus(dir, history, metrics, launched(id));
  return summarise(id, config, history, metrics, status);
}

function summarise(id: string, config: unknown, history: HistoryRecord[], metrics: RunMetrics | null, status: RunStatus): RunSummary {
  const start = history.find((r): r is StartRecord => r.type === 'start');
  const epochs = history.filter((r): r is EpochRecord => r.type === 'epoch');
  // config.json names the step (runs from before lab files: the preset).
  const configStep = (config as { step?: { name?: unknown } } | null)?.step?.name ?? (config as { preset?: unknown } | null)?.preset;
  return {
    id,
    preset: start?.step ?? (typeof configStep === 'string' ? configStep : null),
    status,
    startedAt: start?.time ?? null,
    epochsDone: epochs.length,
    epochsPlanned: start?.epochs ?? null,
    metrics,
  };
}

/** A run's JSON file, or null when it is absent, not a regular file inside the run, or not JSON. */
async function readJson(runDir: string, path: string): Promise<unknown> {
  try {
    return JSON.parse((await readContained(runDir, path))?.toString('utf8') ?? 'null');
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

/** A run's metrics.json checked against its schema, or null (absent, outside the run, or damaged). */
async function readMetrics(runDir: string, path: string): Promise<RunMetrics | null> {
  const value = await readJson(runDir, path);
  if (value === null) return null;
  try {
    return checkRunValue(AnyRunMetricsSchema, value, path);
  } catch {
    return null;
  }
}
