// A model's probabilities function: the native engine's compiled inference when it can run the model, else TF.js.
import * as tf from '@tensorflow/tfjs';
import { predictProbabilities } from './predict.js';

export interface Predictor {
  /** "native-compiled" or "tfjs-<backend>". */
  readonly engine: string;
  /** count × 10 class probabilities of count × 784 images. */
  probabilities(images: Float32Array, count: number): Float32Array;
  dispose(): void;
}

/**
 * On the native backend a Sequential model is compiled once for inference (2.5× PyTorch on the 10k test set,
 * against about 1× through TF.js's model.predict: bench/train-speed.ts); any other model or backend predicts
 * through TF.js. The compiled copy holds the weights the model had now.
 */
export async function createPredictor(model: tf.LayersModel, maxBatch = 1000): Promise<Predictor> {
  if (tf.getBackend() === 'native' && model instanceof tf.Sequential) {
    const { compilePredictor } = await import('../engine/native/index.js');
    const compiled = compilePredictor(model, { maxBatch });
    if (compiled.predictor) {
      const native = compiled.predictor;
      return { engine: 'native-compiled', probabilities: (images, count) => native.probabilities(images, count), dispose: () => native.dispose() };
    }
  }
  return {
    engine: `tfjs-${tf.getBackend()}`,
    probabilities: (images, count) => predictProbabilities(model, images, count),
    dispose: () => undefined,
  };
}
