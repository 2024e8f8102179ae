// The native engine's public surface: the compiled trainer and predictor, the TF.js optimizer reader, the TF.js
// backend, the status `mnist-lab doctor` shows, and handing free memory back to the system.
import { loadAddon } from './addon.js';

export { compileTrainer } from './compile-trainer.js';
export { compilePredictor } from './compile-predictor.js';
export { optimizerSpecOf } from './optimizer-spec.js';
export { registerNativeBackend } from './backend.js';
export type * from '../types.js';

export type NativeStatus =
  | { ok: true; onednnVersion: string; threads: number; cpuFeatures: string[] }
  | { ok: false; reason: string };

/** Whether the native engine is usable here, and its oneDNN version, threads and CPU features; never throws. */
export function nativeStatus(): NativeStatus {
  try {
    const loaded = loadAddon();
    if (!('addon' in loaded)) return { ok: false, reason: loaded.reason };
    return { ok: true, ...loaded.addon.info() };
  } catch (err) {
    return { ok: false, reason: `the native engine failed: ${(err as Error).message}` };
  }
}

/**
 * Frees what nothing references any more (a full V8 collection) and hands the pages the C allocator then holds
 * free back to the system (glibc's malloc_trim); whether any were released. Array buffers, Node's own native code
 * and the native engine allocate through it, and it keeps what a burst freed for reuse. Costs a full collection.
 */
export function releaseFreeMemory(): boolean {
  const loaded = loadAddon();
  return 'addon' in loaded && loaded.addon.releaseFreeMemory();
}
