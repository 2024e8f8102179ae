// The engine's one front door: for a model as compiled, which code trains it and which predicts with it, and why.
import * as tf from '@tensorflow/tfjs';
import { predictProbabilities } from './predict-probabilities.js';
import { TfjsTrainer, type LabelFormat } from './tfjs-trainer.js';
import type { Predictor, Trainer } from './types.js';

/** The loss as the engine sees it: cross-entropy on one-hot rows or class ids, optionally label-smoothed. */
export interface LossSpec {
  kind: 'categorical' | 'sparse';
  labelSmoothing: number;
}

/** What training asks of the engine: the compiled optimizer and loss, and the batch size the steps use. */
export interface TrainingSpec {
  optimizer: tf.Optimizer;
  /** Null when the loss is one the native engine does not compute (TF.js trains it). */
  loss: LossSpec | null;
  /** The loss's own description, for the note when it keeps the model off the fast path. */
  lossName: string;
  labels: LabelFormat;
  batchSize: number;
  /** Native engine threads; default: the engine's own choice. */
  threads?: number;
}

export interface TrainerChoice {
  trainer: Trainer;
  /** One line for the user when the fast path was possible in principle but this model is not on it. */
  note?: string;
}

/** How much slower op-by-op TF.js training is than the compiled step, as measured (bench/tfjs-native-step.ts). */
const FALLBACK_COST = 'roughly 20-150x slower than the compiled native step';

/** What src/engine/native/compile.ts exports; loaded only when the native backend is active. */
type NativeCompile = typeof import('./native/compile.js');

async function nativeCompiler(): Promise<NativeCompile | null> {
  if (tf.getBackend() !== 'native') return null;
  return import('./native/compile.js');
}

/** The optimizer in the form the native engine takes, or why it cannot run it. */
function nativeOptimizer(optimizer: tf.Optimizer): { kind: 'sgd' | 'adam'; lr: number } | { unsupported: string } {
  const config = optimizer.getConfig() as Record<string, unknown>;
  const lr = Number(config['learningRate']);
  const name = optimizer.getClassName();
  if (name === 'SGD') return { kind: 'sgd', lr };
  if (name === 'Adam' && config['beta1'] === 0.9 && config['beta2'] === 0.999 && Math.abs(Number(config['epsilon']) - 1e-7) < 1e-12) {
    return { kind: 'adam', lr };
  }
  return { unsupported: `optimizer ${name} ${JSON.stringify(config)}` };
}

/**
 * The trainer for `model` as compiled: the native compiled step (forward, backward and update in one call per
 * batch) when the native backend is active and it can compile the model, its optimizer and its loss; otherwise
 * TF.js's own trainOnBatch on the active backend. When the native backend is active but the model is off the
 * fast path, the note names the layer or option that kept it off and what that costs.
 */
export async function chooseTrainer(model: tf.LayersModel, spec: TrainingSpec): Promise<TrainerChoice> {
  const native = await nativeCompiler();
  if (!native) return { trainer: new TfjsTrainer(model, spec.labels) };
  const reason = await (async () => {
    if (!(model instanceof tf.Sequential)) return `model ${model.name} is not a tf.sequential model`;
    if (!spec.loss || spec.loss.kind !== 'categorical' || spec.loss.labelSmoothing !== 0) return `loss ${spec.lossName}`;
    const optimizer = nativeOptimizer(spec.optimizer);
    if ('unsupported' in optimizer) return optimizer.unsupported;
    const compiled = native.compileTrainer(model, { optimizer, batchSize: spec.batchSize, threads: spec.threads });
    if (compiled.trainer) return compiled.trainer;
    return compiled.reason.replace(/^not supported natively: /, '');
  })();
  if (typeof reason !== 'string') {
    const compiled = reason;
    return {
      trainer: {
        engine: 'native-compiled',
        step: (xs, labels, lr, seed) => compiled.step(xs, labels, lr, seed),
        evaluate: (xs, labels, count) => compiled.evaluate(xs, labels, count),
        syncToModel: () => compiled.pushWeightsToModel(),
        getOptimizerState: () => compiled.getOptimizerState(),
        setOptimizerState: (state) => compiled.setOptimizerState(state),
        dispose: () => compiled.dispose(),
      },
    };
  }
  const trainer = new TfjsTrainer(model, spec.labels);
  return { trainer, note: `not on the fast path: ${reason}; this model trains through TF.js op by op on ${trainer.engine} (${FALLBACK_COST})` };
}

/**
 * The predictor for `model`: on the native backend a Sequential model is compiled once for inference (2.5×
 * PyTorch on the 10k test set, against about 1× through TF.js's model.predict: bench/train-speed.ts); any other
 * model or backend predicts through TF.js. The compiled copy holds the weights the model had when it was made.
 */
export async function choosePredictor(model: tf.LayersModel, maxBatch = 1000): Promise<Predictor> {
  const native = await nativeCompiler();
  if (native && model instanceof tf.Sequential) {
    const compiled = native.compileTrainer(model, { optimizer: { kind: 'sgd', lr: 0 }, batchSize: maxBatch });
    if (compiled.trainer) {
      const inference = compiled.trainer;
      return {
        engine: 'native-compiled',
        probabilities: (images, count) => inference.evaluate(images, new Uint8Array(count), count).probabilities,
        dispose: () => inference.dispose(),
      };
    }
  }
  return {
    engine: `tfjs-${tf.getBackend()}`,
    probabilities: (images, count) => predictProbabilities(model, images, count),
    dispose: () => undefined,
  };
}
