// The messages between the lab page and its training worker: what each side may post, and nothing else.
import type { DatasetName } from '../../../src/data/types.js';
import type { HistoryRecord } from '../../../src/run/schema.js';

/** The TF.js engines the page offers, fastest first on real hardware (engine-order.ts says what auto picks). */
export const ENGINES = ['webgpu', 'webgl', 'wasm'] as const;
export type EngineName = (typeof ENGINES)[number];
export type EngineChoice = EngineName | 'auto';

/** One engine as the worker found it. */
export interface EngineStatus {
  name: EngineName;
  ok: boolean;
  /** What runs it: the WebGPU adapter, the WebGL renderer, wasm's SIMD and threads. */
  detail?: string;
  /** A GPU engine on a software adapter (SwiftShader, llvmpipe): emulated on the CPU, slower than wasm. */
  software?: boolean;
  /** Why it does not start (absent when ok). */
  reason?: string;
}

/** Where the worker fetches each dataset's four `<name>.gz` files (a folder URL ending in `/`). */
export type DataUrls = Record<DatasetName, string>;

/** An error as the page shows it; `line`/`column` point into the learner's code when the error came from there. */
export interface ErrorReport {
  code?: string;
  message: string;
  hint?: string;
  line?: number;
  column?: number;
}

/** Page → worker. A worker runs one lab file at a time; `runId` ties every answer to its run. */
export type PageMessage =
  | { type: 'configure'; dataUrls: DataUrls; engine: EngineChoice }
  | { type: 'use-engine'; engine: EngineChoice }
  | { type: 'run'; runId: number; file: string; source: string }
  | { type: 'pause'; runId: number }
  | { type: 'resume'; runId: number }
  | { type: 'stop'; runId: number };

/** Worker → page. */
export type WorkerMessage =
  | { type: 'engines'; engines: EngineStatus[]; active: EngineName | null }
  | { type: 'data'; runId: number; dataset: DatasetName; state: 'loading' | 'ready'; fromCache?: boolean; verified?: boolean }
  | { type: 'record'; runId: number; record: HistoryRecord; numTensors: number }
  | { type: 'log'; runId: number; text: string }
  | { type: 'state'; runId: number; state: 'running' | 'paused' }
  | { type: 'error'; runId: number | null; error: ErrorReport }
  | { type: 'done'; runId: number; status: 'completed' | 'stopped' | 'failed'; seconds: number };
