// `mnist-lab serve`: builds the app for a model or run folder and listens on loopback by default.
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice } from '../engine/backend.js';
import { badArgument, LabError } from '../errors.js';
import { stepListings } from '../runner/step-infos.js';
import { runFiles } from '../run/layout.js';
import { buildApp, type AppOptions } from '../server/app.js';
import { isLoopbackAddress, LOOPBACK_HOSTS } from '../server/host-check.js';
import { MODEL_NAME_PATTERN } from '../server/model-registry.js';
import { findRunDir, listRuns } from '../server/runs.js';

export interface ServeOptions {
  /** A model folder (model.json + weights). */
  model?: string;
  /** A run folder; its model/ is served under the run's name. */
  run?: string;
  port: number;
  host?: string;
  /** Extra Host-header names accepted on a loopback bind (a reverse proxy's name); see host-check.ts. */
  allowHosts?: string[];
  /** Folder of run folders shown by the dashboard. */
  runsDir: string;
  /** Built web app; default <repo>/web/dist when it exists. */
  webDir?: string;
  /** Built static lab; default <repo>/web/dist-site when it exists. */
  siteDir?: string;
  /** TF.js backend for server-side predictions (default auto: native, else wasm, else cpu). */
  backend?: BackendChoice;
  /** Threads for the native engine (default 1, see SERVING_THREADS). */
  threads?: number;
  /** Most trainings started from the dashboard that run at once (default one per two cores). */
  maxTrainings?: number;
  /** argv prefix that runs the CLI for trainings started from the dashboard (default: bin/mnist-lab.js). */
  trainCommand?: AppOptions['trainCommand'];
  /** Where the URL and hints are printed (default stdout). */
  print?: (line: string) => void;
  /** Where every 5xx is logged with its request id, as JSON lines (default stderr). */
  log?: Writable;
}

/**
 * Predictions are batches of a few digits: one native thread serves them ~10× faster than a thread pool
 * whose hand-offs dominate such small work (bench/server-load.ts: 1,388 vs 136 requests/s on 2 busy cores).
 */
export const SERVING_THREADS = 1;

const BUILT_WEB = fileURLToPath(new URL('../../web/dist', import.meta.url));
const BUILT_SITE = fileURLToPath(new URL('../../web/dist-site', import.meta.url));

/** Starts the server and resolves once it listens; the caller owns `app.close()`. */
export async function serve(options: ServeOptions): Promise<{ app: FastifyInstance; url: string }> {
  const print = options.print ?? ((line: string) => console.log(line));
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw badArgument('--port', 'an integer from 0 to 65535', options.port);
  }
  if (options.maxTrainings !== undefined && !(Number.isInteger(options.maxTrainings) && options.maxTrainings >= 1)) {
    throw badArgument('--max-trainings', 'an integer of 1 or more', options.maxTrainings);
  }
  const models: Record<string, string> = {};
  if (options.model !== undefined) models[modelName(options.model, 'model')] = resolve(options.model);
  if (options.run !== undefined) models[modelName(options.run, 'run')] = runFiles(resolve(options.run)).model;
  if (options.model === undefined && options.run === undefined) {
    const newest = await newestFinishedRun(resolve(options.runsDir));
    if (newest) {
      models[modelName(newest.dir, 'run')] = runFiles(newest.dir).model;
      print(`serving the newest finished run, ${newest.id} (choose another with --run DIR or --model DIR)`);
    }
  }
  const webDir = options.webDir ?? (existsSync(BUILT_WEB) ? BUILT_WEB : undefined);
  const siteDir = options.siteDir ?? (existsSync(BUILT_SITE) ? BUILT_SITE : undefined);
  const backend = await initBackend({ backend: options.backend ?? 'auto', threads: options.threads ?? SERVING_THREADS });
  if (backend.note) print(`note: ${backend.note}`);
  const presets = await stepListings();
  const host = options.host ?? '127.0.0.1';
  // Bound to loopback, only this machine's names are answered; bound wider, the user chose who may reach it.
  const allowedHosts = isLoopbackAddress(host) ? [...LOOPBACK_HOSTS, ...(options.allowHosts ?? [])] : undefined;
  const app = await buildApp({
    models,
    runsDir: resolve(options.runsDir),
    webDir,
    siteDir,
    presets,
    trainCommand: options.trainCommand,
    allowedHosts,
    limits: options.maxTrainings === undefined ? undefined : { trainings: options.maxTrainings },
    log: options.log ?? process.stderr,
  });
  const url = await listen(app, options.port, host);
  print(`mnist-lab server listening on ${url} (predictions on ${backend.name})`);
  for (const name of Object.keys(models)) print(`  predict: POST ${url}/v1/models/${name}:predict`);
  print(webDir ? `  dashboard and drawing pad: ${url}/` : '  web app not built: run `npm run build:web` for the dashboard');
  if (siteDir) print(`  the lab in the browser: ${url}/lab/`);
  if (Object.keys(models).length === 0) {
    print(`  no model to serve: pass --run DIR or --model DIR, or finish a training under ${resolve(options.runsDir)}`);
  }
  return { app, url };
}

/** app.listen, with a port in use or not allowed as a --port error; the app is closed when it cannot listen. */
async function listen(app: FastifyInstance, port: number, host: string): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new LabError('BAD_ARGUMENT', `--port ${port} is already in use on ${host}`, {
        hint: 'stop the other server, or choose another --port (--port 0 picks a free one)',
        cause: error,
      });
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new LabError('BAD_ARGUMENT', `cannot listen on ${host} port ${port} (${code})`, {
        hint: code === 'EACCES' ? 'ports below 1024 need privileges: choose --port 1024 or above' : '--host must be an address of this machine',
        cause: error,
      });
    }
    throw error;
  }
}

/** The most recently started completed run under runsDir that has a saved model, if any. */
async function newestFinishedRun(runsDir: string): Promise<{ id: string; dir: string } | null> {
  for (const run of await listRuns(runsDir, () => undefined)) {
    if (run.status !== 'completed') continue;
    const dir = await findRunDir(runsDir, run.id);
    if (existsSync(join(runFiles(dir).model, 'model.json'))) return { id: run.id, dir };
  }
  return null;
}

/** The folder's name when it is a valid model name, else the fallback. */
function modelName(dir: string, fallback: string): string {
  const name = basename(resolve(dir));
  return MODEL_NAME_PATTERN.test(name) ? name : fallback;
}

/**
 * `mnist-lab serve` from start to finish: serves until `stop` aborts (default: SIGINT or SIGTERM), then
 * closes the server, which also interrupts the trainings it started (they checkpoint and exit).
 */
export async function runServer(options: ServeOptions, stop: AbortSignal = signalOnTermination()): Promise<void> {
  const { app } = await serve(options);
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  await app.close();
}

function signalOnTermination(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
