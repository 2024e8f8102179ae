// The native engine's public surface: status for `mnist-lab doctor`, the compiled trainer and the TF.js backend.
import { loadAddon } from './addon.js';

export { compileTrainer } from './compile.js';
export type { CompiledTrainer, CompileOptions, OptimizerSlot, OptimizerState, StepResult } from './compile.js';
export { registerNativeBackend } from './backend.js';

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
