// The lab's training worker: starts the engines, runs one lab file at a time in a lab session and streams it to the page.
import * as tf from '@tensorflow/tfjs';
import type { Dataset, DatasetName } from '../../../../src/data/types.js';
import * as api from '../../../../src/index.js';
import { disposeModel, runLabFile } from '../../../../src/train/session.js';
import type { DataUrls, EngineChoice, EngineName, EngineStatus, PageMessage, RunRequest, WorkerMessage } from '../protocol.js';
import { browserSession } from './browser-session.js';
import { checkEngines } from './engine-check.js';
import { probeEngines, useEngine } from './engines.js';
import { fetchDataset } from './fetch-dataset.js';
import { workerFontDigits } from './font-digits.js';
import { forgetModel, keepModel, modelFiles } from './keep-model.js';
import { RunControl } from './run-control.js';
import { describeError, evaluateModule, type LabConsole } from './run-source.js';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PageMessage>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
};
const post = (message: WorkerMessage, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

let urls: { data: DataUrls; fonts: string } | null = null;
let engines: EngineStatus[] = [];
let active: EngineName | null = null;
/** Datasets already loaded, kept for the worker's life (a second run starts at once). */
const datasets = new Map<DatasetName, Promise<Dataset>>();
let current: RunControl | null = null;
/** Engine work is serialised: a switch waits for the probe, a run for both. */
let ready: Promise<void> = Promise.resolve();

function configure(dataUrls: DataUrls, fontsUrl: string, engine: EngineChoice): void {
  urls = { data: dataUrls, fonts: fontsUrl };
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

function configured(): { data: DataUrls; fonts: string } {
  if (urls === null) throw new Error('the worker was not configured with the site’s URLs');
  return urls;
}

function loadDataset(name: DatasetName, runId: number): Promise<Dataset> {
  let loading = datasets.get(name);
  if (loading === undefined) {
    post({ type: 'data', runId, dataset: name, state: 'loading' });
    loading = fetchDataset({ dataset: name, base: configured().data[name] }).then(({ data, fromCache, verified }) => {
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
      post({ type: 'log', runId, text: `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n` });
    };
  return { log: forward('log'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

/** The lab file's cells: its default export, evaluated with `mnist-lab` bound to the public API and TF.js to ours. */
function labMain(runId: number, file: string, source: string): () => unknown {
  const exports = evaluateModule(source, file, { '@tensorflow/tfjs': tf, 'mnist-lab': api }, labConsole(runId));
  const main = exports.default;
  if (typeof main !== 'function') throw new Error(`${file} has no default export to run (export default async function main() { … })`);
  return main as () => unknown;
}

/** Runs `body` as run `runId`, one at a time: its errors reported with their line in `file`, its end with its status. */
async function asRun(runId: number, file: string, body: (control: RunControl) => Promise<void>): Promise<void> {
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
    await body(control);
    post({ type: 'done', runId, status: control.stopping ? 'stopped' : 'completed', seconds: seconds() });
  } catch (error) {
    console.error(error);
    post({ type: 'error', runId, error: describeError(error, file) });
    post({ type: 'done', runId, status: 'failed', seconds: seconds() });
  } finally {
    if (current === control) current = null;
    // Lab code may switch engines (the check runs on cpu too): the next run starts on the one the page shows.
    if (active !== null && tf.getBackend() !== active) await tf.setBackend(active);
  }
}

/** Trains a lab file as `mnist-lab run` does, then keeps the model in this browser with its history. */
function run(request: RunRequest): Promise<void> {
  return asRun(request.runId, request.file, async (control) => {
    const main = labMain(request.runId, request.file, request.source);
    const { session, history } = browserSession({
      request,
      control,
      post,
      dataset: (name) => loadDataset(name, request.runId),
      fontDigits: () => workerFontDigits(configured().fonts),
    });
    post({ type: 'state', runId: request.runId, state: 'running' });
    const outcome = await runLabFile(session, main, request.file);
    try {
      post({ type: 'kept', runId: request.runId, model: await keepModel(outcome, request, history) });
    } catch (error) {
      // The training itself went well: say why its model is not kept (storage full or denied) and end as it ended.
      const { message } = describeError(error);
      post({ type: 'error', runId: request.runId, error: { message: `the trained model was not kept in this browser: ${message}`, hint: 'free some storage, or leave private browsing, and train again' } });
    } finally {
      disposeModel(outcome.fit.model);
    }
  });
}

/** One training step of the file's model on every engine that started here, each against TF.js's cpu backend. */
function check(request: Pick<RunRequest, 'runId' | 'step' | 'file' | 'source'>): Promise<void> {
  return asRun(request.runId, request.file, async () => {
    const main = labMain(request.runId, request.file, request.source);
    const { train } = await loadDataset('mnist', request.runId);
    post({ type: 'state', runId: request.runId, state: 'running' });
    const checks = await checkEngines(main, { file: request.file, step: request.step, engines: engines.filter((e) => e.ok).map((e) => e.name), train });
    post({ type: 'check', runId: request.runId, checks });
    for (const c of checks) {
      const worst = Math.max(...c.gradients).toExponential(1);
      post({ type: 'log', runId: request.runId, text: `${c.engine} against cpu: loss ${c.loss.toFixed(6)} (cpu ${c.referenceLoss.toFixed(6)}), gradients differ by at most ${worst}\n` });
    }
  });
}

async function exportModel(id: string): Promise<void> {
  try {
    const files = await modelFiles(id);
    post({ type: 'model-files', id, files }, files.map((f) => f.bytes));
  } catch (error) {
    post({ type: 'error', runId: null, error: describeError(error) });
  }
}

async function forget(id: string): Promise<void> {
  try {
    await forgetModel(id);
    post({ type: 'forgotten', id });
  } catch (error) {
    post({ type: 'error', runId: null, error: describeError(error) });
  }
}

scope.onmessage = ({ data: message }) => {
  if (message.type === 'configure') configure(message.dataUrls, message.fontsUrl, message.engine);
  else if (message.type === 'use-engine') switchEngine(message.engine);
  else if (message.type === 'run') void run(message);
  else if (message.type === 'check') void check(message);
  else if (message.type === 'export-model') void exportModel(message.id);
  else if (message.type === 'forget-model') void forget(message.id);
  else if (current?.runId === message.runId) {
    if (message.type === 'pause') current.pause();
    else if (message.type === 'resume') current.resume();
    else current.stop();
  }
};

// Errors outside any run (a failed engine probe): shown in the page rather than lost in the console.
self.addEventListener('unhandledrejection', (event) => post({ type: 'error', runId: null, error: describeError(event.reason) }));
