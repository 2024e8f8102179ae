// Flush-to-zero: native work treats denormal floats as zero on the calling thread and on every OpenMP pool thread
// (also after the pool grows), set on a pool once and not per call, while JavaScript keeps IEEE denormals.
import { expect, it } from 'vitest';
import { describeNative, nativeAddon } from '../../helpers/native-reference.js';

/** Runs a native batch norm x·1 + 0 over rows × 1 values of `value`, large enough to split across the pool. */
function nativeIdentity(value: number, rows: number): Float32Array {
  const addon = nativeAddon();
  const x = new Float32Array(rows).fill(value);
  const out = new Float32Array(rows);
  addon.batchNorm(x, out, { rows, channels: 1, epsilon: 0 }, new Float32Array([0]), new Float32Array([1]), null, null);
  return out;
}

describeNative('denormals in native work', () => {
  it('are flushed on every thread of the pool, also after it grows, and not in JavaScript', () => {
    const addon = nativeAddon();
    const original = addon.info().threads;
    const denormal = 1e-40; // below float32's smallest normal, 1.18e-38
    expect(Math.fround(denormal)).toBeGreaterThan(0);
    try {
      for (const threads of [1, 2, 4]) {
        addon.setThreads(threads);
        // 2^17 rows: each of the pool's threads normalises its own share.
        const out = nativeIdentity(denormal, 1 << 17);
        expect(out.every((v) => v === 0), `${threads} threads: every denormal input flushed to zero`).toBe(true);
        // A normal float passes through unchanged: the kernel itself is the identity.
        expect(nativeIdentity(1.5, 1 << 17).every((v) => v === 1.5)).toBe(true);
      }
    } finally {
      addon.setThreads(original);
    }
    // JavaScript arithmetic on the calling thread still produces denormals after the native calls.
    const values = new Float64Array([1e-310, 0.5]);
    expect(values[0] * values[1]).toBeGreaterThan(0);
    expect(Math.fround(values[0] * 1e270 * 1e-270 + denormal)).toBeGreaterThan(0);
  });

  it('are set on a pool once, when it first reaches a size, not on every call', () => {
    const addon = nativeAddon();
    const original = addon.info().threads;
    try {
      // A pool size this process has not reached yet: the first call sets the mode on its threads, once.
      addon.setThreads(Math.max(original, 4) + 1);
      const before = addon.denormalPoolFlushes();
      nativeIdentity(1e-40, 1 << 17);
      expect(addon.denormalPoolFlushes()).toBe(before + 1);
      for (let i = 0; i < 5; i++) nativeIdentity(1e-40, 1 << 17);
      expect(addon.denormalPoolFlushes()).toBe(before + 1);
      // A smaller pool is made of threads already set.
      addon.setThreads(2);
      expect(nativeIdentity(1e-40, 1 << 17).every((v) => v === 0)).toBe(true);
      expect(addon.denormalPoolFlushes()).toBe(before + 1);
    } finally {
      addon.setThreads(original);
    }
  });
});
