// The study folder: study.yaml, trials.jsonl (what was asked), results.jsonl (what came back, one per trial id), results.csv and best.json.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import type { RunMetrics } from '../run/schema.js';
import { parseStudyYaml, type Assignment, type Study } from './study.js';

/** A trial as suggested: its id names the run folder trials/<id>/ and the queue job. */
export interface TrialSpec {
  id: string;
  /** 1-based; seeds the trial's suggestion. */
  number: number;
  params: Assignment;
  createdAt: string;
}

/** completed: ran to the end; stopped: ended early by the median rule; failed: the training command failed. */
export type TrialStatus = 'completed' | 'stopped' | 'failed';

export interface TrialResult {
  id: string;
  number: number;
  status: TrialStatus;
  /** test_loss or test_accuracy when completed; the best intermediate value when stopped; null when failed. */
  objective: number | null;
  params: Assignment;
  /** Intermediate objectives (val_loss or val_accuracy), one per evaluation point. */
  intermediate: number[];
  metrics: RunMetrics | null;
  error?: string;
  /** The training command's exit code when it failed (2: it rejected its flags). */
  exitCode?: number;
  seconds: number;
  /** Who ran it: "local" or host:pid of a queue worker. */
  worker: string;
  finishedAt: string;
}

export interface StudyMeta {
  /** Names the study's queue jobs, so several studies can share one Redis. */
  studyId: string;
  createdAt: string;
}

export const studyFiles = (dir: string) => ({
  study: join(dir, 'study.yaml'),
  meta: join(dir, 'study.json'),
  trials: join(dir, 'trials.jsonl'),
  results: join(dir, 'results.jsonl'),
  csv: join(dir, 'results.csv'),
  best: join(dir, 'best.json'),
  runs: join(dir, 'trials'),
});

/** Reads JSON lines; a torn last line (a crash mid-write) is skipped. */
function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  // Seal a torn line so the next append starts on a line of its own.
  if (text.length > 0 && !text.endsWith('\n')) appendFileSync(file, '\n');
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as T];
    } catch {
      return [];
    }
  });
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export class StudyStore {
  readonly files: ReturnType<typeof studyFiles>;
  private readonly trialList: TrialSpec[];
  private readonly resultById = new Map<string, TrialResult>();

  private constructor(
    readonly dir: string,
    readonly study: Study,
    readonly meta: StudyMeta,
  ) {
    this.files = studyFiles(dir);
    this.trialList = readJsonLines<TrialSpec>(this.files.trials);
    for (const result of readJsonLines<TrialResult>(this.files.results)) {
      if (!this.resultById.has(result.id)) this.resultById.set(result.id, result);
    }
  }

  /** Starts a new study folder from the study file's text. */
  static create(dir: string, studyText: string, source: string): StudyStore {
    const files = studyFiles(dir);
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw new LabError('OUTPUT_EXISTS', `--out ${dir} is an existing file, not a folder`, { hint: 'choose another --out: a study folder is a folder' });
    }
    if (existsSync(files.meta)) {
      throw new LabError('OUTPUT_EXISTS', `study folder ${dir} already holds a study`, {
        hint: 'pass --resume to continue it, or choose another --out',
      });
    }
    const study = parseStudyYaml(studyText, source);
    try {
      mkdirSync(files.runs, { recursive: true });
    } catch (cause) {
      throw new LabError('BAD_ARGUMENT', `--out ${dir} cannot be made: ${(cause as NodeJS.ErrnoException).code ?? cause}`, {
        hint: 'is a folder on its path a file, or not writable? choose another --out',
        cause,
      });
    }
    writeFileSync(files.study, studyText);
    const meta: StudyMeta = { studyId: `s${Date.now().toString(36)}${randomBytes(3).toString('hex')}`, createdAt: new Date().toISOString() };
    writeFileSync(files.meta, `${JSON.stringify(meta, null, 2)}\n`);
    return new StudyStore(dir, study, meta);
  }

  /** Opens an existing study folder (for --resume); the stored study.yaml is the study. */
  static open(dir: string): StudyStore {
    const files = studyFiles(dir);
    if (!existsSync(files.meta) || !existsSync(files.study)) {
      throw new LabError('RUN_INCOMPLETE', `${dir} is not a study folder (no study.json / study.yaml)`, {
        hint: 'pass the --out folder of an earlier `mnist-lab tune`, or drop --resume to start a study',
      });
    }
    const study = parseStudyYaml(readFileSync(files.study, 'utf8'), files.study);
    const meta = JSON.parse(readFileSync(files.meta, 'utf8')) as StudyMeta;
    return new StudyStore(dir, study, meta);
  }

  runDir(trialId: string): string {
    return join(this.files.runs, trialId);
  }

  trials(): TrialSpec[] {
    return [...this.trialList];
  }

  results(): TrialResult[] {
    return [...this.resultById.values()].sort((a, b) => a.number - b.number);
  }

  result(trialId: string): TrialResult | undefined {
    return this.resultById.get(trialId);
  }

  /** Trials that were asked for but have no result: after a crash they run again. */
  pending(): TrialSpec[] {
    return this.trialList.filter((t) => !this.resultById.has(t.id));
  }

  /** Records a new trial before it is started. */
  addTrial(params: Assignment): TrialSpec {
    const number = this.trialList.length + 1;
    const spec: TrialSpec = { id: `t${String(number).padStart(3, '0')}`, number, params, createdAt: new Date().toISOString() };
    appendFileSync(this.files.trials, `${JSON.stringify(spec)}\n`);
    this.trialList.push(spec);
    return spec;
  }

  /** Records a trial's result; a second result for the same id is ignored (returns false). */
  addResult(result: TrialResult): boolean {
    if (this.resultById.has(result.id)) return false;
    appendFileSync(this.files.results, `${JSON.stringify(result)}\n`);
    this.resultById.set(result.id, result);
    this.writeTables();
    return true;
  }

  /** The best completed trial by the study's goal. */
  best(): TrialResult | null {
    const sign = this.study.goal === 'MINIMIZE' ? 1 : -1;
    let best: TrialResult | null = null;
    for (const r of this.results()) {
      if (r.status !== 'completed' || r.objective === null) continue;
      if (!best || sign * r.objective < sign * (best.objective as number)) best = r;
    }
    return best;
  }

  private writeTables(): void {
    const names = this.study.params.map((p) => p.name);
    const header = ['id', 'status', 'objective', ...names, 'test_accuracy', 'test_loss', 'seconds', 'worker', 'error'];
    const rows = this.results().map((r) =>
      [r.id, r.status, r.objective, ...names.map((n) => r.params[n]), r.metrics?.test_accuracy, r.metrics?.test_loss, r.seconds.toFixed(1), r.worker, r.error]
        .map(csvCell)
        .join(','),
    );
    writeAtomically(this.files.csv, `${[header.join(','), ...rows].join('\n')}\n`);
    const best = this.best();
    const summary = best && {
      goal: this.study.goal,
      metric: this.study.metric,
      trial: best.id,
      objective: best.objective,
      params: best.params,
      metrics: best.metrics,
      runDir: this.runDir(best.id),
      completedTrials: this.results().filter((r) => r.status === 'completed').length,
    };
    writeAtomically(this.files.best, `${JSON.stringify(summary, null, 2)}\n`);
  }
}
