// Picks and starts the TF.js backend: the native oneDNN engine when built, else wasm (with our kernels), else pure-JS cpu.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.js';

export type BackendChoice = 'auto' | 'native' | 'wasm' | 'cpu';

export interface BackendOptions {
  backend?: BackendChoice;
  /** Threads for the native engine (default: the engine's own choice); wasm and cpu run on one thread in Node. */
  threads?: number;
}

export interface BackendInfo {
  /** The TF.js backend now active, e.g. "native", "wasm", "cpu". */
  name: string;
  threads: number;
  /** One line for the user when the fast engine was wanted but is off, saying how to enable it. */
  note?: string;
}

/** What src/engine/native/index.ts exports; loaded lazily so that a missing or unbuilt engine is only "unavailable". */
interface NativeModule {
  registerNativeBackend(options: { threads?: number }): unknown;
}

const NATIVE_MODULE = './native/index.js';
const ENABLE_HINT = 'bash scripts/setup.sh';

let current: { key: string; info: BackendInfo } | null = null;

/** Starts the chosen backend and makes it TF.js's active one. Calling it again with the same options is a no-op. */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const choice = options.backend ?? 'auto';
  const key = `${choice}:${options.threads ?? ''}`;
  if (current?.key === key && tf.getBackend() === current.info.name) return current.info;
  // Production mode: no debug checks, and no banner asking to install tfjs-node (our engine replaces it).
  tf.enableProdMode();
  const info = await start(choice, options.threads);
  current = { key, info };
  return info;
}

async function start(choice: BackendChoice, threads: number | undefined): Promise<BackendInfo> {
  if (choice === 'cpu') return activate('cpu', 1);
  if (choice === 'wasm') return startWasm();
  const native = await tryNative(threads);
  if (native.ok) return native.info;
  if (choice === 'native') {
    throw new LabError('NATIVE_FAILURE', `the native engine is not available: ${native.reason}`, {
      hint: `build it with \`${ENABLE_HINT}\`, or pass --backend auto to fall back to wasm`,
    });
  }
  const note = `fast native engine is off (${native.reason}); training on TF.js wasm, many times slower. Enable it: ${ENABLE_HINT}`;
  try {
    return { ...(await startWasm()), note };
  } catch (cause) {
    const info = await activate('cpu', 1);
    return { ...info, note: `${note} (wasm failed too: ${messageOf(cause)}; using the pure-JS cpu backend)` };
  }
}

/** Loads the wasm backend only when it is picked, so commands that train natively or on cpu never load it. */
async function startWasm(): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmKernels } = await import('./wasm/index.js');
  registerWasmKernels();
  return activate('wasm', 1);
}

async function activate(name: string, threads: number): Promise<BackendInfo> {
  if (!(await tf.setBackend(name))) {
    throw new LabError('NATIVE_FAILURE', `TF.js backend "${name}" failed to start`, {
      hint: 'try --backend cpu, which always works',
    });
  }
  await tf.ready();
  return { name, threads };
}

type NativeAttempt = { ok: true; info: BackendInfo } | { ok: false; reason: string };

async function tryNative(threads: number | undefined): Promise<NativeAttempt> {
  let native: NativeModule;
  try {
    native = (await import(NATIVE_MODULE)) as NativeModule;
  } catch (cause) {
    const notBuilt = (cause as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    return { ok: false, reason: notBuilt ? 'not installed' : `engine module failed to load: ${messageOf(cause)}` };
  }
  if (typeof native.registerNativeBackend !== 'function') {
    return { ok: false, reason: 'engine module has no registerNativeBackend()' };
  }
  try {
    const registered = (await native.registerNativeBackend({ threads })) as Partial<BackendInfo> | undefined;
    const info = await activate(registered?.name ?? 'native', registered?.threads ?? threads ?? 1);
    return { ok: true, info };
  } catch (cause) {
    return { ok: false, reason: messageOf(cause) };
  }
}

function messageOf(cause: unknown): string {
  return String(cause instanceof Error ? cause.message : cause).split('\n')[0];
}
