// The messages between the lab page and its training worker: what each side may post, and nothing else.
import type { DatasetName } from '../../../src/data/types.js';
import type { HistoryRecord, Overrides, Point } from '../../../src/run/schema.js';
import type { DigitGridSpec } from '../../../src/viz/digit-grid.js';
import type { KeptModel } from './model-store.js';

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
  /** wasm's build as the page words it in its own language. */
  wasm?: { simd: boolean; threaded: boolean; isolated: boolean; threads: number };
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

/** What the page asks of one run: the lab file's JavaScript and what shortens it, as `mnist-lab run`'s flags do. */
export interface RunRequest {
  runId: number;
  /** The step's name (`01-softmax`), for the history and the kept model. */
  step: string;
  /** The name errors and stack frames use (`lab/01-softmax.ts`). */
  file: string;
  /** CommonJS JavaScript, from the page's sucrase step. */
  source: string;
  /** The TypeScript the learner trained, kept with the model. */
  typescript: string;
  /** The code differs from the lab file. */
  edited: boolean;
  /** The step's title, kept with the model. */
  title: string;
  dataset: DatasetName;
  /** --epochs, --steps, --limit, --val-limit, --batch-size, --lr (null: the file's own). */
  overrides: Overrides;
}

/** One training step of a lab file's model on an engine and on TF.js's cpu backend, from the same weights and batch. */
export interface EngineCheck {
  engine: EngineName;
  step: string;
  loss: number;
  referenceLoss: number;
  /** Per trainable weight: the largest difference from cpu's gradient, relative (engine-check.ts says to what). */
  gradients: number[];
}

/** A picture of the prediction cell, drawn by the page: the digits and captions, or the confusion counts. */
export type Picture =
  | { kind: 'predictions'; grid: DigitGridSpec; errors: number; count: number }
  | { kind: 'fontDigits'; grid: DigitGridSpec; errors: number }
  | { kind: 'confusion'; matrix: number[][]; classNames: readonly string[]; errors: number; count: number };

/** Page → worker. A worker runs one lab file at a time; `runId` ties every answer to its run. */
export type PageMessage =
  | { type: 'configure'; dataUrls: DataUrls; fontsUrl: string; engine: EngineChoice }
  | { type: 'use-engine'; engine: EngineChoice }
  | ({ type: 'run' } & RunRequest)
  | ({ type: 'check' } & Pick<RunRequest, 'runId' | 'step' | 'file' | 'source'>)
  | { type: 'pause'; runId: number }
  | { type: 'resume'; runId: number }
  | { type: 'stop'; runId: number }
  | { type: 'export-model'; id: string }
  | { type: 'forget-model'; id: string };

/** Worker → page. */
export type WorkerMessage =
  | { type: 'engines'; engines: EngineStatus[]; active: EngineName | null }
  | { type: 'data'; runId: number; dataset: DatasetName; state: 'loading' | 'ready'; fromCache?: boolean; verified?: boolean }
  | { type: 'record'; runId: number; record: HistoryRecord; numTensors: number }
  | { type: 'lr-plan'; runId: number; points: Point[]; epochs: number }
  | { type: 'picture'; runId: number; picture: Picture }
  | { type: 'log'; runId: number; text: string }
  | { type: 'state'; runId: number; state: 'running' | 'paused' }
  | { type: 'check'; runId: number; checks: EngineCheck[] }
  | { type: 'kept'; runId: number; model: KeptModel }
  | { type: 'model-files'; id: string; files: { name: string; bytes: ArrayBuffer }[] }
  | { type: 'forgotten'; id: string }
  | { type: 'error'; runId: number | null; error: ErrorReport }
  | { type: 'done'; runId: number; status: 'completed' | 'stopped' | 'failed'; seconds: number };
