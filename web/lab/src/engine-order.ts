// Which engine "fastest that works" means: real GPUs first, then wasm, then GPUs that software emulates on the CPU.
import type { EngineName, EngineStatus } from './protocol.js';

/**
 * The order `auto` tries: GPU engines on real hardware (WebGPU, then WebGL), then wasm, then GPU engines on a
 * software adapter. In headless Chromium on SwiftShader here, a small CNN trained at ~33 images/s on WebGL
 * against several hundred on wasm, and WebGPU did not get through 2,000 images in five minutes.
 */
export function autoOrder(engines: readonly EngineStatus[]): EngineName[] {
  const working = engines.filter((e) => e.ok);
  const gpu = (software: boolean) => working.filter((e) => e.name !== 'wasm' && (e.software ?? false) === software).map((e) => e.name);
  return [...gpu(false), ...working.filter((e) => e.name === 'wasm').map((e) => e.name), ...gpu(true)];
}
