// Starts `mnist-lab train` as a child process writing a new run folder, and remembers how each one went.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface TrainRequest {
  preset: string;
  epochs?: number;
  steps?: number;
  limit?: number;
}

export interface LaunchedRun {
  id: string;
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

  /** `command` is the argv prefix that runs the CLI, e.g. [node, <repo>/bin/mnist-lab.js]. */
  constructor(
    private readonly runsDir: string,
    private readonly command: readonly string[],
  ) {}

  /** Spawns the training; the run folder appears once the CLI has resolved its config. */
  start(request: TrainRequest): LaunchedRun {
    const id = this.newRunId(request.preset);
    const dir = join(this.runsDir, id);
    const args = [...this.command.slice(1), 'train', request.preset, '--out', dir];
    if (request.epochs !== undefined) args.push('--epochs', String(request.epochs));
    if (request.steps !== undefined) args.push('--steps', String(request.steps));
    if (request.limit !== undefined) args.push('--limit', String(request.limit));
    const child = spawn(this.command[0], args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: LaunchedRun = { id, preset: request.preset, dir, pid: child.pid, exitCode: null, log: [] };
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

  /** True when this server started the run and its process ended with an error. */
  failed(id: string): boolean {
    const exitCode = this.get(id)?.exitCode;
    return exitCode !== undefined && exitCode !== null && exitCode !== 0;
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
