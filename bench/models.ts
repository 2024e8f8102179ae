// The architectures the speed benchmark trains, by name: two ladder presets and issue 10's pooling and global-
// average-pooling models, each mirrored layer for layer (same init, Adam, learning rate) in bench/torch_train.py.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS } from '../src/data/types.js';
import { batchNormalization } from '../src/models/layers/batch-norm.js';
import { getPreset } from '../src/models/index.js';

export const BENCH_MODELS = ['10-conv-bn', '03-relu-adam', 'codelab-maxpool', 'gap-head', 'small-pool-cnn'] as const;
export type BenchModelName = (typeof BENCH_MODELS)[number];

const image = (): tf.layers.Layer => tf.layers.reshape({ inputShape: [PIXELS], targetShape: [IMAGE_SIZE, IMAGE_SIZE, 1] });
const conv = (kernelSize: number, filters: number, extra: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
  tf.layers.conv2d({ kernelSize, filters, padding: 'same', activation: 'relu', ...extra });
const pool = (): tf.layers.Layer => tf.layers.maxPooling2d({ poolSize: 2 });
const softmax = (): tf.layers.Layer => tf.layers.dense({ units: 10, activation: 'softmax' });

/** The codelab's conv net (08-conv) with 2×2 max-pooling in place of the strides: 28 → 14 → 7. */
function codelabMaxPool(): tf.Sequential {
  return tf.sequential({
    layers: [image(), conv(3, 12), conv(6, 24), pool(), conv(6, 32), pool(), tf.layers.flatten(), tf.layers.dense({ units: 200, activation: 'relu' }), softmax()],
  });
}

/**
 * 10-conv-bn's conv / batch-norm / relu stack (28 → 14 → 7), then a 3×3 conv to the 10 classes, global average
 * pooling and Activation('softmax'): no dense layer at all, the codelab's other way to end a conv net.
 */
function gapHead(): tf.Sequential {
  const bnRelu = (): tf.layers.Layer[] => [batchNormalization({ center: true, scale: false }), tf.layers.activation({ activation: 'relu' })];
  return tf.sequential({
    layers: [
      image(),
      conv(3, 12, { useBias: false, activation: 'linear' }), ...bnRelu(),
      conv(6, 24, { useBias: false, activation: 'linear', strides: 2 }), ...bnRelu(),
      conv(6, 32, { useBias: false, activation: 'linear', strides: 2 }), ...bnRelu(),
      tf.layers.conv2d({ kernelSize: 3, filters: 10, padding: 'same' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.activation({ activation: 'softmax' }),
    ],
  });
}

/** The small pooling CNN issue 10 measured on the TF.js fallback: conv 12, pool, conv 24, pool, dense 200. */
function smallPoolCnn(): tf.Sequential {
  return tf.sequential({
    layers: [image(), conv(3, 12), pool(), conv(3, 24), pool(), tf.layers.flatten(), tf.layers.dense({ units: 200, activation: 'relu' }), softmax()],
  });
}

/** A fresh model and its Adam learning rate. */
export function benchModel(name: BenchModelName): { model: tf.Sequential; lr: number } {
  switch (name) {
    case '10-conv-bn':
    case '03-relu-adam': {
      const preset = getPreset(name);
      return { model: preset.build(), lr: preset.optimizer.lr };
    }
    case 'codelab-maxpool':
      return { model: codelabMaxPool(), lr: 0.01 };
    case 'gap-head':
      return { model: gapHead(), lr: 0.01 };
    case 'small-pool-cnn':
      return { model: smallPoolCnn(), lr: 0.01 };
  }
}
