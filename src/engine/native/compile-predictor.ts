// Compiles a tf.Sequential into the native predictor: inference only, no gradient buffers and no optimizer.
import type * as tf from '@tensorflow/tfjs';
import { LabError, badArgument } from '../../errors.js';
import type { CompiledPredictor, PredictorOptions } from '../types.js';
import { type RawPredictor, loadAddon, setNativeThreads } from './addon.js';
import { translate } from './translate.js';
import { bindWeights, pullWeights } from './weights.js';

/**
 * The model's class probabilities through the native engine, with the weights it has now; or why it cannot run
 * natively (the same reasons as compileTrainer's).
 */
export function compilePredictor(
  model: tf.Sequential,
  options: PredictorOptions,
): { predictor: CompiledPredictor } | { predictor: null; reason: string } {
  if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw badArgument('maxBatch', 'a positive integer', options.maxBatch);
  const loaded = loadAddon();
  if (!('addon' in loaded)) return { predictor: null, reason: loaded.reason };
  const translation = translate(model);
  if ('unsupported' in translation) return { predictor: null, reason: translation.unsupported };
  setNativeThreads(loaded.addon, options.threads);
  let raw: RawPredictor | null;
  try {
    raw = new loaded.addon.Predictor({ layers: translation.layers, maxBatch: options.maxBatch });
  } catch (err) {
    throw new LabError('NATIVE_FAILURE', (err as Error).message, { cause: err });
  }
  pullWeights(raw, bindWeights(raw, translation.sources));
  const { inputFeatures, classes } = translation;
  return {
    predictor: {
      probabilities(images: Float32Array, count: number): Float32Array {
        if (!raw) throw new LabError('NATIVE_FAILURE', 'the compiled predictor was disposed', { hint: 'compile the model again' });
        if (!Number.isInteger(count) || count < 1 || images.length < count * inputFeatures) {
          throw new LabError('BAD_INPUT', `probabilities: ${images.length} floats for ${count} images; expected ${count * inputFeatures} (${inputFeatures} per image, at least one)`);
        }
        const out = new Float32Array(count * classes);
        raw.probabilities(images, count, out);
        return out;
      },
      dispose(): void {
        raw?.dispose();
        raw = null;
      },
    },
  };
}
