// The page's side of the training worker: one typed method per message it may send, every answer to one listener.
import type { DataUrls, EngineChoice, PageMessage, RunRequest, WorkerMessage } from './protocol.js';

export class LabWorker {
  private readonly worker = new Worker(new URL('./worker/lab-worker.ts', import.meta.url), { type: 'module' });
  private lastRunId = 0;

  constructor(onMessage: (message: WorkerMessage) => void, onCrash: (message: string) => void) {
    this.worker.onmessage = (event: MessageEvent<WorkerMessage>) => onMessage(event.data);
    // A worker that fails to load or throws outside a run: the page says so instead of waiting forever.
    this.worker.onerror = (event) => onCrash(event.message || 'the training worker failed to start');
  }

  private send(message: PageMessage): void {
    this.worker.postMessage(message);
  }

  configure(dataUrls: DataUrls, fontsUrl: string, engine: EngineChoice): void {
    this.send({ type: 'configure', dataUrls, fontsUrl, engine });
  }

  useEngine(engine: EngineChoice): void {
    this.send({ type: 'use-engine', engine });
  }

  /** Starts a run of an already transformed lab file; returns its id. */
  run(request: Omit<RunRequest, 'runId'>): number {
    const runId = ++this.lastRunId;
    this.send({ type: 'run', runId, ...request });
    return runId;
  }

  /** Checks the active engine against cpu on the file's model; returns the check's run id. */
  check(request: Pick<RunRequest, 'step' | 'file' | 'source'>): number {
    const runId = ++this.lastRunId;
    this.send({ type: 'check', runId, ...request });
    return runId;
  }

  pause(runId: number): void {
    this.send({ type: 'pause', runId });
  }

  resume(runId: number): void {
    this.send({ type: 'resume', runId });
  }

  stop(runId: number): void {
    this.send({ type: 'stop', runId });
  }

  /** Asks for a kept model's files in TF.js's format (answered by a `model-files` message). */
  exportModel(id: string): void {
    this.send({ type: 'export-model', id });
  }

  forgetModel(id: string): void {
    this.send({ type: 'forget-model', id });
  }
}
