// A faster Conv2DBackpropInput for the wasm backend: the input gradient as ONE stride-1 XNNPACK convolution (polyphase).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvGeometry } from '../conv-geometry.js';
import { channelsLastGeometry, type KernelArgs, runKernel, withTemporaries } from './run-kernel.js';

/**
 * With stride s, padded row p = q·s + r receives dy[q - j] · W[r + j·s] for every tap j (and the same on columns).
 * So for each phase (r_h, r_w) the input gradient is a stride-1 correlation of dy with a flipped sub-filter of
 * J = ceil(K / s) taps. Stacking the s_h·s_w sub-filters along the output channels makes all phases one
 * convolution of dy (output [B, Qh, Qw, s_h·s_w·C_in]); a transpose interleaves the phases back into rows and
 * columns, and a slice drops the forward pass's padding. The stock wasm kernel loops naively and was the largest
 * cost of CNN training here.
 */
export function conv2DBackpropInputWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const convAttrs = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const g = channelsLastGeometry('Conv2DBackpropInput', convAttrs.inputShape, filter.shape, convAttrs);
  const { batchSize: b, inHeight, inWidth, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw, padTop: top, padLeft: left } = g;
  const tapsH = Math.ceil(g.filterHeight / sh);
  const tapsW = Math.ceil(g.filterWidth / sw);
  // Phase rows/columns to compute: enough to cover the padded extent [0, top + inHeight).
  const rowsQ = Math.max(Math.ceil((top + inHeight) / sh), g.outHeight);
  const colsQ = Math.max(Math.ceil((left + inWidth) / sw), g.outWidth);
  const wasm = backend as BackendWasm;
  // A small synchronous read: wasm tensors live in CPU memory, and filters have at most a few 10k weights.
  const phaseFilter = phaseStackedFilter(wasm.readSync(filter.dataId) as Float32Array, g, tapsH, tapsW);

  return withTemporaries(backend, (keep) => {
    const stacked = keep(wasm.makeOutput([tapsH, tapsW, co, sh * sw * ci], 'float32', undefined, phaseFilter));
    const phases = keep(
      runKernel('Conv2D', backend, { x: dy, filter: stacked }, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [tapsH - 1, rowsQ - g.outHeight],
          [tapsW - 1, colsQ - g.outWidth],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      }),
    );
    // [B, Qh, Qw, (sh, sw, ci)] → [B·Qh, Qw, sh, sw·ci] → [B·Qh, sh, Qw, sw·ci] = [B, Qh·sh, Qw·sw, ci] interleaved.
    const split = keep(runKernel('Reshape', backend, { x: phases }, { shape: [b * rowsQ, colsQ, sh, sw * ci] }));
    const interleaved = keep(runKernel('Transpose', backend, { x: split }, { perm: [0, 2, 1, 3] }));
    const padded = keep(runKernel('Reshape', backend, { x: interleaved }, { shape: [b, rowsQ * sh, colsQ * sw, ci] }));
    return runKernel('Slice', backend, { x: padded }, { begin: [0, top, left, 0], size: [b, inHeight, inWidth, ci] });
  });
}

/** stacked[tH, tW, co, (rH, rW, ci)] = W[rH + (J_h - 1 - tH)·sh, rW + (J_w - 1 - tW)·sw, ci, co], zero past the kernel. */
function phaseStackedFilter(w: Float32Array, g: ConvGeometry, tapsH: number, tapsW: number): Float32Array {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = g;
  const out = new Float32Array(tapsH * tapsW * co * sh * sw * ci);
  let o = 0;
  for (let th = 0; th < tapsH; th++)
    for (let tw = 0; tw < tapsW; tw++)
      for (let c = 0; c < co; c++)
        for (let rh = 0; rh < sh; rh++)
          for (let rw = 0; rw < sw; rw++)
            for (let i = 0; i < ci; i++, o++) {
              const h = rh + (tapsH - 1 - th) * sh;
              const v = rw + (tapsW - 1 - tw) * sw;
              if (h < kh && v < kw) out[o] = w[((h * kw + v) * ci + i) * co + c];
            }
  return out;
}
