// The matrix-product work of a model per image, from its layer shapes: the multiply-adds of its convolutions and
// dense layers in the forward pass, and in training the weight gradients and the input gradients.
import type * as tf from '@tensorflow/tfjs';

export interface ModelFlops {
  /** Forward pass (inference). */
  forward: number;
  /** Gradients of the trainable kernels: as many multiply-adds as their forward pass. */
  backwardWeights: number;
  /** Gradients of the layers' inputs, for every layer above the first trainable one (nothing below needs it). */
  backwardData: number;
  /** One training step: forward + backwardWeights + backwardData. */
  training: number;
}

const product = (dims: (number | null)[]): number => dims.reduce<number>((a, d) => a * (d ?? 1), 1);

/** The multiply-adds per image of a Conv2D or Dense layer (0 for any other layer). */
function multiplyAdds(layer: tf.layers.Layer): number {
  const kind = layer.getClassName();
  if (kind !== 'Conv2D' && kind !== 'Dense') return 0;
  const kernel = layer.weights.find((w) => w.name.endsWith('kernel'));
  if (!kernel) throw new Error(`layer ${layer.name} (${kind}) has no kernel; build the model before counting its FLOP`);
  const out = layer.outputShape as (number | null)[];
  // Conv2D: one kernel-window dot product [kh·kw·in] per output value; Dense: one [in] dot product per output value.
  const window = product(kernel.shape.slice(0, kind === 'Conv2D' ? 3 : 1));
  return window * product(out.slice(1));
}

/**
 * FLOP per image (a multiply-add counts 2) of the model's convolutions and dense layers, padding positions included,
 * as their shapes give them. Bias, batch norm, activations, pooling and the loss are left out: they are not matrix
 * products, and are a small part of the work.
 */
export function modelFlops(model: tf.LayersModel): ModelFlops {
  let forward = 0;
  let backwardWeights = 0;
  let backwardData = 0;
  let trainableBelow = false;
  for (const layer of model.layers) {
    const flops = 2 * multiplyAdds(layer);
    forward += flops;
    if (layer.trainable) backwardWeights += flops;
    if (trainableBelow) backwardData += flops;
    trainableBelow ||= layer.trainableWeights.length > 0;
  }
  return { forward, backwardWeights, backwardData, training: forward + backwardWeights + backwardData };
}
