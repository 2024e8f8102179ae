// Starts `mnist-lab train` (one run) or `mnist-lab lab` (the ladder) as a child process, and remembers how each went.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from './api-errors.js';

/** Flags every launch may pass through. */
export interface TrainingKnobs {
  epochs?: number;
  steps?: number;
  limit?: number;
}

export interface TrainRequest extends TrainingKnobs {
  preset: string;
}

export interface LaunchedRun {
  id: string;
  /** `train` writes one run folder; `lab` a folder of them, one per step. */
  kind: 'train' | 'lab';
  /** The preset trained ("lab" for the ladder). */
  preset: string;
  dir: string;
  pid: number | undefined;
  /** Null while running. */
  exitCode: number | null;
  /** The last lines the process printed (stdout and stderr). */
  log: string[];
}

const LOG_LINES = 200;

export class TrainingLauncher {
  private readonly runs = new Map<string, { run: LaunchedRun; child: ChildProcess }>();

  /** `command` is the argv prefix that runs the CLI, e.g. [node, <repo>/bin/mnist-lab.js]; at most `maxRunning` run at once. */
  constructor(
    private readonly runsDir: string,
    private readonly command: readonly string[],
    private readonly maxRunning: number,
  ) {}

  /** Spawns the training; the run folder appears once the CLI has resolved its config. */
  start(request: TrainRequest): LaunchedRun {
    return this.launch('train', request.preset, ['train', request.preset], request);
  }

  /** Spawns `mnist-lab lab`: its steps appear as <id>/<preset> run folders, one after the other. */
  startLab(knobs: TrainingKnobs): LaunchedRun {
    return this.launch('lab', 'lab', ['lab'], knobs);
  }

  private launch(kind: LaunchedRun['kind'], preset: string, command: string[], knobs: TrainingKnobs): LaunchedRun {
    const running = this.all().filter((run) => run.exitCode === null).length;
    if (running >= this.maxRunning) {
      throw new ApiError(
        429,
        'TOO_MANY_TRAININGS',
        `this server already runs ${running} training${running === 1 ? '' : 's'}, the most it runs at once`,
        'wait for one to finish (GET /api/runs shows them), or restart `mnist-lab serve` with a higher --max-trainings',
      );
    }
    const id = this.newRunId(preset);
    const dir = join(this.runsDir, id);
    const args = [...this.command.slice(1), ...command, '--out', dir];
    if (knobs.epochs !== undefined) args.push('--epochs', String(knobs.epochs));
    if (knobs.steps !== undefined) args.push('--steps', String(knobs.steps));
    if (knobs.limit !== undefined) args.push('--limit', String(knobs.limit));
    const child = spawn(this.command[0], args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: LaunchedRun = { id, kind, preset, dir, pid: child.pid, exitCode: null, log: [] };
    const keep = (data: Buffer): void => {
      run.log.push(...data.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
      run.log.splice(0, Math.max(0, run.log.length - LOG_LINES));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => {
      run.log.push(`could not start ${this.command[0]}: ${error.message}`);
      run.exitCode = -1;
    });
    child.on('exit', (code, signal) => {
      run.exitCode = code ?? (signal === null ? -1 : 128);
    });
    this.runs.set(id, { run, child });
    return run;
  }

  all(): LaunchedRun[] {
    return [...this.runs.values()].map(({ run }) => run);
  }

  get(id: string): LaunchedRun | undefined {
    return this.runs.get(id)?.run;
  }

  /**
   * For a run this server started, or a step (<lab>/<step>) of a lab it started: whether its process still
   * runs. Undefined for runs it did not start.
   */
  running(id: string): boolean | undefined {
    const owner = this.get(id) ?? this.get(id.split('/')[0]);
    if (owner === undefined || (owner.id !== id && owner.kind !== 'lab')) return undefined;
    return owner.exitCode === null;
  }

  /** Asks every running training to stop (SIGINT: the CLI checkpoints and exits 130). */
  interruptAll(): void {
    for (const { run, child } of this.runs.values()) if (run.exitCode === null) child.kill('SIGINT');
  }

  private newRunId(preset: string): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
    for (let n = 1; ; n++) {
      const id = n === 1 ? `${stamp}-${preset}` : `${stamp}-${preset}-${n}`;
      if (!this.runs.has(id) && !existsSync(join(this.runsDir, id))) return id;
    }
  }
}
