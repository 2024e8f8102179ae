// The lab's training worker: starts the engines, runs one lab file at a time and streams what happens to the page.
import * as tf from '@tensorflow/tfjs';
import type { Dataset, DatasetName } from '../../../../src/data/types.js';
import type { DataUrls, EngineChoice, EngineName, EngineStatus, PageMessage, WorkerMessage } from '../protocol.js';
import { probeEngines, useEngine } from './engines.js';
import { fetchDataset } from './fetch-dataset.js';
import { labModule } from './lab-module.js';
import { RunControl } from './run-control.js';
import { describeError, evaluateModule, type LabConsole } from './run-source.js';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PageMessage>) => void) | null;
  postMessage(message: WorkerMessage): void;
};
const post = (message: WorkerMessage): void => scope.postMessage(message);

let dataUrls: DataUrls | null = null;
let engines: EngineStatus[] = [];
let active: EngineName | null = null;
/** Datasets already loaded, kept for the worker's life (a second run starts at once). */
const datasets = new Map<DatasetName, Promise<Dataset>>();
let current: RunControl | null = null;
/** Engine work is serialised: a switch waits for the probe, a run for both. */
let ready: Promise<void> = Promise.resolve();

function configure(urls: DataUrls, engine: EngineChoice): void {
  dataUrls = urls;
  ready = ready.then(async () => {
    engines = await probeEngines();
    active = await useEngine(engine, engines);
    post({ type: 'engines', engines, active });
  });
}

function switchEngine(engine: EngineChoice): void {
  ready = ready.then(async () => {
    active = await useEngine(engine, engines);
    post({ type: 'engines', engines, active });
  });
}

function loadDataset(name: DatasetName, runId: number): Promise<Dataset> {
  let loading = datasets.get(name);
  if (loading === undefined) {
    if (dataUrls === null) throw new Error('the worker was not configured with data URLs');
    post({ type: 'data', runId, dataset: name, state: 'loading' });
    loading = fetchDataset({ dataset: name, base: dataUrls[name] }).then(({ data, fromCache, verified }) => {
      post({ type: 'data', runId, dataset: name, state: 'ready', fromCache, verified });
      return data;
    });
    // A failed load is not kept: the next run tries again (the learner may have fixed the files).
    loading.catch(() => datasets.delete(name));
    datasets.set(name, loading);
  }
  return loading;
}

function labConsole(runId: number): LabConsole {
  const forward =
    (level: keyof LabConsole) =>
    (...args: unknown[]): void => {
      console[level](...args);
      post({ type: 'log', runId, text: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') });
    };
  return { log: forward('log'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

async function run(runId: number, file: string, source: string): Promise<void> {
  if (current !== null) {
    post({ type: 'error', runId, error: { message: `run ${current.runId} is still going: stop it first` } });
    post({ type: 'done', runId, status: 'failed', seconds: 0 });
    return;
  }
  const control = new RunControl(runId, post);
  current = control;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    await ready;
    if (active === null) throw new Error('no TF.js engine started in this browser (see the engine list)');
    const modules = {
      '@tensorflow/tfjs': tf,
      'mnist-lab': labModule({ control, file, post, dataset: (name) => loadDataset(name, runId) }),
    };
    const exports = evaluateModule(source, file, modules, labConsole(runId));
    if (typeof exports.default !== 'function') throw new Error(`${file} has no default export to run (export default async function …)`);
    post({ type: 'state', runId, state: 'running' });
    await (exports.default as () => unknown)();
    post({ type: 'done', runId, status: control.stopping ? 'stopped' : 'completed', seconds: seconds() });
  } catch (error) {
    post({ type: 'error', runId, error: describeError(error, file) });
    post({ type: 'done', runId, status: 'failed', seconds: seconds() });
  } finally {
    if (current === control) current = null;
    // Lab code may switch engines (comparing with cpu, say): the next run starts on the one the page shows.
    if (active !== null && tf.getBackend() !== active) await tf.setBackend(active);
  }
}

scope.onmessage = ({ data: message }) => {
  if (message.type === 'configure') configure(message.dataUrls, message.engine);
  else if (message.type === 'use-engine') switchEngine(message.engine);
  else if (message.type === 'run') void run(message.runId, message.file, message.source);
  else if (current?.runId === message.runId) {
    if (message.type === 'pause') current.pause();
    else if (message.type === 'resume') current.resume();
    else current.stop();
  }
};

// Errors outside any run (a failed engine probe): shown in the page rather than lost in the console.
self.addEventListener('unhandledrejection', (event) => post({ type: 'error', runId: null, error: describeError(event.reason) }));
