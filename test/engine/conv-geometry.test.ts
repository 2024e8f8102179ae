// The engine's one window geometry against TF.js's own computeConv2DInfo (and computePool2DInfo) on seeded random
// shapes, strides and every padding form, and windowsFit against a plain check of each output window.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type ConvKernelAttrs, type RoundingMode, convKernelGeometry, windowGeometry, windowsFit } from '../../src/engine/conv-geometry.js';
import { Rng } from '../../src/util/rng.js';

type Pad = ConvKernelAttrs['pad'];

function randomCase(rng: Rng) {
  const [n, h, w, c] = [1 + rng.int(3), 1 + rng.int(12), 1 + rng.int(12), 1 + rng.int(4)];
  const [kh, kw] = [1 + rng.int(Math.min(h, 6)), 1 + rng.int(Math.min(w, 6))];
  const strides: [number, number] = [1 + rng.int(4), 1 + rng.int(4)];
  const p = () => rng.int(3);
  const pads: Pad[] = ['same', 'valid', p(), [[0, 0], [p(), p()], [p(), p()], [0, 0]]];
  const pad = pads[rng.int(pads.length)];
  const modes: (RoundingMode | undefined)[] = [undefined, 'floor', 'round', 'ceil'];
  const dimRoundingMode = typeof pad === 'string' ? undefined : modes[rng.int(modes.length)];
  return { x: [n, h, w, c], filter: [kh, kw, c, 1 + rng.int(5)], strides, pad, dimRoundingMode };
}

describe('conv geometry', () => {
  it('equals TF.js computeConv2DInfo for same, valid, numeric and explicit pads and every rounding mode', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 500; i++) {
      const t = randomCase(rng);
      const info = tf.backend_util.computeConv2DInfo(
        t.x as [number, number, number, number], t.filter as [number, number, number, number], t.strides, 1,
        t.pad as 'same', t.dimRoundingMode, false, 'channelsLast',
      );
      const g = convKernelGeometry(t.x, t.filter, { strides: t.strides, pad: t.pad, dataFormat: 'NHWC', dimRoundingMode: t.dimRoundingMode });
      expect(g, JSON.stringify(t)).toEqual({
        batchSize: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, inChannels: info.inChannels,
        filterHeight: info.filterHeight, filterWidth: info.filterWidth, outChannels: info.outChannels,
        strideHeight: info.strideHeight, strideWidth: info.strideWidth,
        padTop: info.padInfo.top, padBottom: info.padInfo.bottom, padLeft: info.padInfo.left, padRight: info.padInfo.right,
        outHeight: info.outHeight, outWidth: info.outWidth,
      });
    }
  });

  it('gives pooling the output size TF.js computePool2DInfo does', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 200; i++) {
      const [h, w, c] = [1 + rng.int(12), 1 + rng.int(12), 1 + rng.int(3)];
      const pool: [number, number] = [1 + rng.int(Math.min(h, 4)), 1 + rng.int(Math.min(w, 4))];
      const strides: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
      const padding = rng.next() < 0.5 ? 'same' : 'valid';
      const info = tf.backend_util.computePool2DInfo([1, h, w, c], pool, strides, 1, padding);
      const g = windowGeometry(h, w, c, { filterHeight: pool[0], filterWidth: pool[1], outChannels: c, strideHeight: strides[0], strideWidth: strides[1], padding });
      expect([g.outHeight, g.outWidth, g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([
        info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.bottom, info.padInfo.left, info.padInfo.right,
      ]);
    }
  });

  it('describes no channels-first or dilated conv', () => {
    const attrs = { strides: 1, pad: 'same' as const };
    expect(convKernelGeometry([1, 5, 5, 2], [3, 3, 2, 1], { ...attrs, dataFormat: 'NCHW' })).toBeNull();
    expect(convKernelGeometry([1, 5, 5, 2], [3, 3, 2, 1], { ...attrs, dilations: [1, 2] })).toBeNull();
    expect(convKernelGeometry([1, 5, 5, 2], [3, 3, 2, 1], { ...attrs, dilations: 1 })).not.toBeNull();
  });

  it('windowsFit: every output window starts inside the padded input and none fits after the last', () => {
    const rng = new Rng(5);
    let unfit = 0;
    for (let i = 0; i < 500; i++) {
      const t = randomCase(rng);
      const g = convKernelGeometry(t.x, t.filter, { strides: t.strides, pad: t.pad, dimRoundingMode: t.dimRoundingMode })!;
      // Plain check, window by window along each axis.
      const axisFits = (size: number, filter: number, stride: number, before: number, after: number, out: number): boolean => {
        let windows = 0;
        while (windows * stride + filter <= size + before + after) windows++;
        return windows === out;
      };
      const expected =
        axisFits(g.inHeight, g.filterHeight, g.strideHeight, g.padTop, g.padBottom, g.outHeight) &&
        axisFits(g.inWidth, g.filterWidth, g.strideWidth, g.padLeft, g.padRight, g.outWidth);
      expect(windowsFit(g), JSON.stringify(t)).toBe(expected);
      if (typeof t.pad === 'string') expect(windowsFit(g)).toBe(true);
      if (!expected) unfit++;
    }
    expect(unfit, 'some rounded-up explicit pads do not fit').toBeGreaterThan(0);
  });
});
