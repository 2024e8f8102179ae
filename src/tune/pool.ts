// The default executor: each trial is a child process on this machine writing straight into the study's trials/<id>/ folder.
import { rmSync } from 'node:fs';
import type { TrialControl, TrialExecutor } from './executor.js';
import { toResult } from './executor.js';
import type { StudyStore, TrialResult, TrialSpec } from './store.js';
import { startTrialProcess, type TrialProcess } from './trial-process.js';

export interface LocalPoolOptions {
  store: StudyStore;
  /** The training program (see defaultTrialCommand). */
  command: string[];
  pollMs?: number;
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
}

export class LocalPool implements TrialExecutor {
  private readonly running = new Set<TrialProcess>();

  constructor(private readonly options: LocalPoolOptions) {}

  async run(trial: TrialSpec, args: string[], control: TrialControl): Promise<TrialResult> {
    const runDir = this.options.store.runDir(trial.id);
    // A re-run after a crash starts from an empty folder, so stale history cannot feed the median rule.
    rmSync(runDir, { recursive: true, force: true });
    const proc = startTrialProcess({
      command: this.options.command,
      args,
      runDir,
      metric: this.options.store.study.metric,
      pollMs: this.options.pollMs,
      graceMs: this.options.graceMs,
      env: this.options.env,
      onIntermediate: (values) => {
        if (control.onIntermediate(values)) proc.stop();
      },
    });
    this.running.add(proc);
    try {
      const { exitCode, ...outcome } = await proc.done;
      return toResult(trial, { ...outcome, exitCode: outcome.status === 'failed' ? (exitCode ?? undefined) : undefined, worker: 'local' });
    } finally {
      this.running.delete(proc);
    }
  }

  async close(): Promise<void> {
    const pending = [...this.running].map((proc) => {
      proc.abort();
      return proc.done;
    });
    await Promise.all(pending);
  }
}
