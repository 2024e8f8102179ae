// Checks that a model takes the codelab's digits and answers with 10 classes, naming the layer that does not.
import type * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from '../data/types.js';
import { LabError } from '../errors.js';

const INPUTS = [[PIXELS], [IMAGE_SIZE, IMAGE_SIZE], [IMAGE_SIZE, IMAGE_SIZE, 1]];
const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? 'None').join(', ')}]`;

/** The digits arrive as 784 pixels (or 28×28, 28×28×1); the last layer must give one probability per class. */
export function checkModelShape(model: tf.LayersModel): void {
  const first = model.layers[0];
  const input = model.inputs[0].shape.slice(1);
  if (!INPUTS.some((s) => s.length === input.length && s.every((d, i) => d === input[i]))) {
    throw new LabError('BAD_LAB_FILE', `the model's input ${first ? `(layer ${first.name}, ${first.getClassName()}) ` : ''}is ${shapeText(input)}; the digits are [784] (flat) or [28, 28, 1]`, {
      hint: 'give the first layer inputShape: [784] (or [28, 28, 1]); a Reshape layer turns 784 pixels into 28×28×1',
    });
  }
  const last = model.layers.at(-1);
  const output = model.outputs[0].shape.slice(1);
  if (output.length !== 1 || output[0] !== NUM_CLASSES) {
    throw new LabError('BAD_LAB_FILE', `the model's output ${last ? `(layer ${last.name}, ${last.getClassName()}) ` : ''}is ${shapeText(output)}; it must be [10], one probability per digit`, {
      hint: "end with tf.layers.dense({ units: 10, activation: 'softmax' })",
    });
  }
}
