// Conv2DBackpropFilter for the wasm backend (which lacks it): the filter gradient as a forward convolution, dilation = stride.
import * as tf from '@tensorflow/tfjs';
import { channelsLastGeometry, type KernelArgs, runKernel, withTemporaries } from './run-kernel.js';

/**
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPadded[b, oh·sh + kh, ow·sw + kw, ci] · dy[b, oh, ow, co].
 *
 * Read with ci as the batch and b as the input channel, that is a valid convolution of x^T [ci, H, W, b] by the
 * filter dy^T [outH, outW, b, co] with dilation (sh, sw) and stride 1, which the wasm Conv2D kernel (XNNPACK)
 * runs fast. The input is padded by the forward pass's top/left padding and padded or cropped at the bottom/right
 * so that exactly filterHeight × filterWidth positions come out.
 */
export function conv2DBackpropFilterWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const convAttrs = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const g = channelsLastGeometry('Conv2DBackpropFilter', x.shape, convAttrs.filterShape, convAttrs);
  return withTemporaries(backend, (keep) => {
    const { padTop: top, padLeft: left } = g;
    const bottom = g.filterHeight + (g.outHeight - 1) * g.strideHeight - top - g.inHeight;
    const right = g.filterWidth + (g.outWidth - 1) * g.strideWidth - left - g.inWidth;
    let input = x;
    if (bottom < 0 || right < 0) {
      // Rows/columns the strided windows never reach (valid padding whose stride does not divide the size).
      const size = [g.batchSize, g.inHeight + Math.min(bottom, 0), g.inWidth + Math.min(right, 0), g.inChannels];
      input = keep(runKernel('Slice', backend, { x }, { begin: [0, 0, 0, 0], size }));
    }
    const inputT = keep(runKernel('Transpose', backend, { x: input }, { perm: [3, 1, 2, 0] }));
    const dyT = keep(runKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }));
    const gradT = keep(
      runKernel('Conv2D', backend, { x: inputT, filter: dyT }, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [g.strideHeight, g.strideWidth],
      }),
    );
    return runKernel('Transpose', backend, { x: gradT }, { perm: [1, 2, 0, 3] });
  });
}
