// The machine's single-precision matrix-multiply limit, for the speed benchmark's "share of the limit": the best
// GFLOP/s of a large square sgemm through oneDNN (the native engine's own sgemm) on the benchmark's threads.
import { loadAddon, setNativeThreads } from '../src/engine/native/addon.js';

/** The side of the square product: large enough that oneDNN's sgemm runs at its peak on every thread. */
export const LIMIT_SIZE = 2048;

/** The best GFLOP/s of `repeats` LIMIT_SIZE³ sgemms (after one warm-up) on `threads` OpenMP threads. */
export function measureMatmulLimit(threads: number, repeats = 4): number {
  const loaded = loadAddon();
  if (!('addon' in loaded)) throw new Error(loaded.reason);
  const { addon } = loaded;
  setNativeThreads(addon, threads);
  const n = LIMIT_SIZE;
  const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
  const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
  const c = new Float32Array(n * n);
  const shape = { batchA: 1, batchB: 1, m: n, k: n, n, transposeA: false, transposeB: false };
  let best = Infinity;
  for (let rep = 0; rep <= repeats; rep++) {
    const t0 = performance.now();
    addon.matmul(a, b, c, shape, null, 'linear');
    if (rep > 0) best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (2 * n ** 3) / best / 1e9;
}
