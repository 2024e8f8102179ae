// One run's Pause/Stop state in the worker, and the checkpoint where training lets the worker hear the page.
import type { WorkerMessage } from '../protocol.js';

/** How long training may keep the worker busy before it yields to read Pause/Stop (ms). */
const YIELD_EVERY_MS = 40;

export class RunControl {
  private paused: { resume: () => void; resumed: Promise<void> } | null = null;
  private stopRequested = false;
  private lastYield = performance.now();

  constructor(
    readonly runId: number,
    private readonly post: (message: WorkerMessage) => void,
  ) {}

  get stopping(): boolean {
    return this.stopRequested;
  }

  pause(): void {
    if (this.paused !== null || this.stopRequested) return;
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

  /** Stops at the next checkpoint (a paused run stops at once). */
  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  /**
   * Called between batches: at most every YIELD_EVERY_MS it gives the worker's event loop a turn, so Pause and
   * Stop messages arrive, then waits while paused. Resolves true when the run should stop.
   */
  async checkpoint(): Promise<boolean> {
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.lastYield = performance.now();
    }
    while (this.paused !== null) await this.paused.resumed;
    return this.stopRequested;
  }
}
