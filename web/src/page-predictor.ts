// A TF.js model run in a web worker (predict-worker.ts) for a drawing pad; each call resolves with its own answer.
import type { WorkerRequest, WorkerResponse } from './predict-worker.js';

type WorkerCall = { type: 'load'; url: string } | { type: 'predict'; image: Float32Array };

export class PagePredictor {
  private readonly worker = new Worker(new URL('./predict-worker.ts', import.meta.url), { type: 'module' });
  private readonly pending = new Map<number, { resolve(p: number[] | undefined): void; reject(e: Error): void }>();
  private nextId = 0;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const { id, probabilities, error } = event.data;
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) call?.reject(new Error(error));
      else call?.resolve(probabilities);
    };
  }

  /** Loads a model by any URL TF.js reads: a served model.json, or `indexeddb://<key>` for one kept in this browser. */
  async load(url: string): Promise<void> {
    await this.call({ type: 'load', url });
  }

  async predict(image: Float32Array): Promise<number[]> {
    return (await this.call({ type: 'predict', image })) as number[];
  }

  private call(request: WorkerCall): Promise<number[] | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } satisfies WorkerRequest);
    });
  }
}
