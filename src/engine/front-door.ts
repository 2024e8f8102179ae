// The engine's one front door: for a model as compiled, which code trains it and which predicts with it, and why.
import * as tf from '@tensorflow/tfjs';
import { tfjsPredictor } from './predict-probabilities.js';
import { TfjsTrainer } from './tfjs-trainer.js';
import type { CompiledTrainer, Predictor, TrainerChoice, TrainingSpec } from './types.js';

/** How much slower op-by-op TF.js training is than the compiled step, as measured (bench/tfjs-native-step.ts). */
const FALLBACK_COST = 'roughly 20-150x slower than the compiled native step';

/** What src/engine/native/index.ts exports; loaded only when the native backend is active. */
type NativeEngine = typeof import('./native/index.js');

async function nativeEngine(): Promise<NativeEngine | null> {
  if (tf.getBackend() !== 'native') return null;
  return import('./native/index.js');
}

/**
 * The trainer for `model` as compiled: the native compiled step (forward, backward and update in one call per
 * batch) when the native backend is active and it can compile the model, its optimizer and its loss; otherwise
 * TF.js's own trainOnBatch on the active backend. When the native backend is active but the model is off the
 * fast path, the note names the layer or option that kept it off and what that costs.
 */
export async function chooseTrainer(model: tf.LayersModel, spec: TrainingSpec): Promise<TrainerChoice> {
  const native = await nativeEngine();
  if (!native) return { trainer: new TfjsTrainer(model, spec.labels) };
  const compiled = ((): { trainer: CompiledTrainer } | { reason: string } => {
    if (!(model instanceof tf.Sequential)) return { reason: `model ${model.name} is not a tf.sequential model` };
    if (!spec.loss) return { reason: `loss ${spec.lossName}` };
    const optimizer = native.optimizerSpecOf(spec.optimizer);
    if ('unsupported' in optimizer) return { reason: optimizer.unsupported };
    const result = native.compileTrainer(model, { optimizer, loss: spec.loss, batchSize: spec.batchSize, threads: spec.threads });
    return result.trainer ? { trainer: result.trainer } : { reason: result.reason };
  })();
  if ('trainer' in compiled) {
    const step = compiled.trainer;
    return {
      trainer: {
        engine: 'native-compiled',
        step: (xs, labels, lr, seed) => step.step(xs, labels, lr, seed),
        evaluate: (xs, labels, count) => step.evaluate(xs, labels, count),
        syncToModel: () => step.pushWeightsToModel(),
        getOptimizerState: () => step.getOptimizerState(),
        setOptimizerState: (state) => step.setOptimizerState(state),
        dispose: () => step.dispose(),
      },
    };
  }
  const trainer = new TfjsTrainer(model, spec.labels);
  return { trainer, note: `not on the fast path: ${compiled.reason.replace(/^not supported natively: /, '')}; this model trains through TF.js op by op on ${trainer.engine} (${FALLBACK_COST})` };
}

/**
 * The predictor for `model`: on the native backend a Sequential model is compiled once for inference (2.5×
 * PyTorch on the 10k test set, against about 1× through TF.js's model.predict: bench/train-speed.ts); any other
 * model or backend predicts through TF.js. The compiled copy holds the weights the model had when it was made.
 */
export async function choosePredictor(model: tf.LayersModel, maxBatch = 1000): Promise<Predictor> {
  const native = await nativeEngine();
  if (native && model instanceof tf.Sequential) {
    const compiled = native.compilePredictor(model, { maxBatch });
    if (compiled.predictor) {
      const inference = compiled.predictor;
      return { engine: 'native-compiled', probabilities: (images, count) => inference.probabilities(images, count), dispose: () => inference.dispose() };
    }
  }
  return tfjsPredictor(model);
}

/**
 * Frees what nothing references any more and hands it back to the system where the native engine is active (see
 * native/index.ts); false elsewhere. For a long-running process such as `serve`, once a burst of work is over.
 */
export async function releaseFreeMemory(): Promise<boolean> {
  const native = await nativeEngine();
  return native?.releaseFreeMemory() ?? false;
}
