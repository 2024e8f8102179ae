// The models trained in this browser, kept in IndexedDB: what each is (step, code, engine, metrics, history) beside its weights.
import type { DatasetName } from '../../../src/data/types.js';
import type { HistoryRecord, RunMetrics } from '../../../src/run/schema.js';

/** One trained model as the page lists it; its weights are TF.js's, at modelUrl(id). */
export interface KeptModel {
  /** `<step>-<time>`: unique in this browser. */
  id: string;
  step: string;
  title: string;
  /** The TypeScript that trained it, and whether it differs from the lab file. */
  source: string;
  edited: boolean;
  dataset: DatasetName;
  /** completed, or stopped early by the learner (the weights as they were then). */
  status: 'completed' | 'stopped';
  /** When training ended (ISO 8601). */
  time: string;
  params: number;
  /** The code that trained it: `tfjs-<engine>`. */
  engine: string;
  /** metrics.json's numbers; null when stopped before the first validation. */
  metrics: RunMetrics | null;
  /** The run's history records (a run folder's history.jsonl). */
  history: HistoryRecord[];
}

const DATABASE = 'mnist-lab';
const STORE = 'models';

/** Where TF.js keeps a model's topology and weights (its own IndexedDB database). */
export const modelUrl = (id: string): string => `indexeddb://mnist-lab/${id}`;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

let opened: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DATABASE, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => {
      opened = null;
      reject(open.error ?? new Error('IndexedDB is not available here'));
    };
  });
  return opened;
}

async function store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await database()).transaction(STORE, mode).objectStore(STORE);
}

export async function keepModelRecord(model: KeptModel): Promise<void> {
  await request((await store('readwrite')).put(model));
}

/** Every kept model, newest first. */
export async function listKeptModels(): Promise<KeptModel[]> {
  const all = (await request((await store('readonly')).getAll())) as KeptModel[];
  return all.sort((a, b) => b.time.localeCompare(a.time));
}

export async function forgetModelRecord(id: string): Promise<void> {
  await request((await store('readwrite')).delete(id));
}
