// "Fastest that works": real GPUs in WebGPU-then-WebGL order, then wasm, then software GPUs; engines that fail never.
import { describe, expect, it } from 'vitest';
import { autoOrder } from '../../web/lab/src/engine-order.js';
import type { EngineStatus } from '../../web/lab/src/protocol.js';

const engine = (name: EngineStatus['name'], ok: boolean, software = false): EngineStatus => ({ name, ok, software });

describe('autoOrder', () => {
  it('follows the hand table', () => {
    const table: [EngineStatus[], string[]][] = [
      [[engine('webgpu', true), engine('webgl', true), engine('wasm', true)], ['webgpu', 'webgl', 'wasm']],
      [[engine('webgpu', false), engine('webgl', true), engine('wasm', true)], ['webgl', 'wasm']],
      // Headless Chromium here: both GPU engines run on SwiftShader.
      [[engine('webgpu', true, true), engine('webgl', true, true), engine('wasm', true)], ['wasm', 'webgpu', 'webgl']],
      [[engine('webgpu', true, true), engine('webgl', true, false), engine('wasm', true)], ['webgl', 'wasm', 'webgpu']],
      [[engine('webgpu', false), engine('webgl', true, true), engine('wasm', false)], ['webgl']],
      [[engine('webgpu', false), engine('webgl', false), engine('wasm', false)], []],
    ];
    for (const [engines, order] of table) expect(autoOrder(engines)).toEqual(order);
  });
});
