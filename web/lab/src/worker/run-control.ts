// One run's Pause and Stop in the worker, as the lab session takes them: an abort signal and a wait while paused.
import type { WorkerMessage } from '../protocol.js';

export class RunControl {
  private paused: { resume: () => void; resumed: Promise<void> } | null = null;
  private readonly abort = new AbortController();

  constructor(
    readonly runId: number,
    private readonly post: (message: WorkerMessage) => void,
  ) {}

  /** Fires on Stop: training finishes its batch and ends (the session's `signal`). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  pause(): void {
    if (this.paused !== null || this.stopping) return;
    let resume = () => {};
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    this.paused = { resume, resumed };
    this.post({ type: 'state', runId: this.runId, state: 'paused' });
  }

  resume(): void {
    const paused = this.paused;
    if (paused === null) return;
    this.paused = null;
    paused.resume();
    this.post({ type: 'state', runId: this.runId, state: 'running' });
  }

  /** Stops after the batch under way (a paused run stops at once). */
  stop(): void {
    this.abort.abort();
    this.resume();
  }

  /** Resolves when training may go on (the session's `waitIfPaused`, called before every batch). */
  async waitIfPaused(): Promise<void> {
    while (this.paused !== null) await this.paused.resumed;
  }
}
