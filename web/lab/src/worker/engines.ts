// The worker's TF.js engines: finds which of WebGPU, WebGL and wasm start here, and switches between them.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmKernels } from '../../../../src/engine/wasm/index.js';
import { autoOrder } from '../engine-order.js';
import { ENGINES, type EngineChoice, type EngineName, type EngineStatus } from '../protocol.js';

// The three wasm binaries as the build emitted them; TF.js picks threaded SIMD when the page is cross-origin isolated.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

/** WebGPU's adapter (navigator.gpu in a worker), typed here because the DOM library lacks WebGPU. */
interface GpuAdapter {
  info?: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
}
interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<GpuAdapter | null> };
}

/** GPUs emulated on the CPU, by the names their adapters and renderers give. */
const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/** Why an engine cannot start, found before TF.js is asked, or what will run it. */
async function precheck(name: EngineName): Promise<{ reason: string } | { detail: string; software: boolean }> {
  if (name === 'webgpu') {
    const gpu = (navigator as unknown as GpuNavigator).gpu;
    if (gpu === undefined) return { reason: 'this browser has no WebGPU (navigator.gpu is absent)' };
    const adapter = await gpu.requestAdapter();
    if (adapter === null) return { reason: 'no WebGPU adapter (Chromium offers its software one only with --enable-unsafe-webgpu)' };
    const info = adapter.info;
    const detail = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : 'adapter';
    return { detail, software: info?.isFallbackAdapter === true || SOFTWARE_GPU.test(detail) };
  }
  if (name === 'webgl') {
    const gl = typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(1, 1).getContext('webgl2');
    if (gl === null) return { reason: 'no WebGL 2 context in a worker (OffscreenCanvas)' };
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const detail = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    return { detail, software: SOFTWARE_GPU.test(detail) };
  }
  if (typeof WebAssembly === 'undefined') return { reason: 'this browser has no WebAssembly' };
  return { detail: '', software: false };
}

/** A 2×2 product every engine must get right before it may train: catches adapters that start but compute nothing. */
async function computesCorrectly(): Promise<boolean> {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  const values = await product.data();
  product.dispose();
  return [19, 22, 43, 50].every((v, i) => Math.abs(values[i] - v) < 1e-4);
}

async function probe(name: EngineName): Promise<EngineStatus> {
  try {
    const check = await precheck(name);
    if ('reason' in check) return { name, ok: false, reason: check.reason };
    if (!(await tf.setBackend(name))) return { name, ok: false, reason: `TF.js could not start its ${name} backend` };
    if (!(await computesCorrectly())) return { name, ok: false, reason: `the ${name} backend computes a wrong matrix product here` };
    let detail = check.detail;
    let wasm: EngineStatus['wasm'];
    if (name === 'wasm') {
      registerWasmKernels();
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      // TF.js loads its threaded SIMD build only where shared memory exists: a cross-origin isolated page.
      const threaded = simd && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      const threads = getThreadsCount();
      const build = threaded ? 'threaded build' : self.crossOriginIsolated ? 'single-threaded build' : 'not cross-origin isolated: single-threaded build';
      detail = `${simd ? 'SIMD' : 'no SIMD'}, ${build}, ${threads} thread${threads === 1 ? '' : 's'}`;
      wasm = { simd: Boolean(simd), threaded: Boolean(threaded), isolated: self.crossOriginIsolated, threads };
    }
    return { name, ok: true, detail, software: check.software, wasm };
  } catch (error) {
    return { name, ok: false, reason: (error as Error).message ?? String(error) };
  }
}

/** Each engine's status, found by starting it; leaves TF.js on the last one that started. */
export async function probeEngines(): Promise<EngineStatus[]> {
  const found: EngineStatus[] = [];
  for (const name of ENGINES) found.push(await probe(name));
  return found;
}

/**
 * Makes `choice` TF.js's backend, or for auto (and when the chosen one does not work here: a choice remembered
 * from another browser) the first of autoOrder that starts; null when none does.
 */
export async function useEngine(choice: EngineChoice, engines: readonly EngineStatus[]): Promise<EngineName | null> {
  const auto = autoOrder(engines);
  const candidates = choice === 'auto' ? auto : [choice, ...auto.filter((name) => name !== choice)];
  for (const name of candidates) {
    if (engines.find((e) => e.name === name)?.ok && (await tf.setBackend(name))) return name;
  }
  return null;
}
