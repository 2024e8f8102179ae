// Flush-to-zero: native work treats denormal floats as zero on the calling thread and on every OpenMP pool thread
// (also after the pool grows), while JavaScript on the calling thread keeps IEEE denormals.
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
});
