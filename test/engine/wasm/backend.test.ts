// Backend selection: explicit cpu/wasm, auto's fallback to wasm with a one-line note, and idempotence.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend.js';
import { LabError } from '../../../src/errors.js';

describe('initBackend', () => {
  it('starts cpu and wasm on request, the latter with our Conv2DBackpropFilter', async () => {
    expect(await initBackend({ backend: 'cpu' })).toEqual({ name: 'cpu', threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend({ backend: 'wasm' })).toEqual({ name: 'wasm', threads: 1 });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('is idempotent: the same options give the same info without restarting', async () => {
    const first = await initBackend({ backend: 'wasm' });
    expect(await initBackend({ backend: 'wasm' })).toBe(first);
  });

  it('auto takes the native engine when it starts, else wasm with a one-line note on how to enable it', async () => {
    const auto = await initBackend({ backend: 'auto', threads: 2 });
    expect(tf.getBackend()).toBe(auto.name);
    const explicitNative = initBackend({ backend: 'native', threads: 2 });
    if (auto.name === 'native') {
      expect(auto.note).toBeUndefined();
      await expect(explicitNative).resolves.toMatchObject({ name: 'native' });
    } else {
      expect(auto).toMatchObject({ name: 'wasm', threads: 1 });
      expect(auto.note).toMatch(/native engine is off .*bash scripts\/setup\.sh$/);
      expect(auto.note).not.toContain('\n');
      const error = await explicitNative.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabError);
      expect((error as LabError).code).toBe('NATIVE_FAILURE');
      expect((error as LabError).hint).toContain('bash scripts/setup.sh');
    }
  });
});
