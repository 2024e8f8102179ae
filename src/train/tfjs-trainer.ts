// The Trainer on any TF.js backend: optimizer.minimize over the model in training mode, LR set per step.
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS } from '../data/types.js';
import type { OptimizerSpec } from '../models/preset.js';
import { predictProbabilities } from '../predict/predict.js';
import type { EvalResult, OptimizerState, StepResult, Trainer } from './trainer.js';

const EVAL_CHUNK = 1000;

type LrSettable = tf.Optimizer & { learningRate: number; setLearningRate?: (lr: number) => void };

/** Keras defaults: SGD without momentum; Adam beta1 0.9, beta2 0.999, epsilon 1e-7. */
export function makeOptimizer(spec: OptimizerSpec): LrSettable {
  const optimizer = spec.kind === 'sgd' ? tf.train.sgd(spec.lr) : tf.train.adam(spec.lr, 0.9, 0.999, 1e-7);
  return optimizer as unknown as LrSettable;
}

export class TfjsTrainer implements Trainer {
  readonly engine: string;
  private readonly optimizer: LrSettable;
  private readonly variables: tf.Variable[];

  constructor(
    private readonly model: tf.LayersModel,
    optimizer: OptimizerSpec,
  ) {
    this.engine = `tfjs-${tf.getBackend()}`;
    this.optimizer = makeOptimizer(optimizer);
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  step(xs: Float32Array, labels: Uint8Array, lr: number): StepResult {
    setLearningRate(this.optimizer, lr);
    const size = labels.length;
    const scalars = tf.tidy(() => {
      const x = tf.tensor2d(xs, [size, PIXELS]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES);
      let accuracy: tf.Scalar | null = null;
      const loss = this.optimizer.minimize(
        () => {
          // training: true turns dropout on and makes batch norm use and update batch statistics.
          const probs = this.model.apply(x, { training: true }) as tf.Tensor;
          accuracy = tf.keep(tf.mean(tf.metrics.categoricalAccuracy(y, probs)) as tf.Scalar);
          return tf.mean(tf.metrics.categoricalCrossentropy(y, probs)) as tf.Scalar;
        },
        true,
        this.variables,
      ) as tf.Scalar;
      return [loss, accuracy as unknown as tf.Scalar];
    });
    // Sync point: the loop logs each step's loss and accuracy (Keras's progress bar does the same).
    const [loss, accuracy] = scalars.map((t) => t.dataSync()[0]);
    tf.dispose(scalars);
    return { loss, accuracy };
  }

  evaluate(xs: Float32Array, labels: Uint8Array, count: number): EvalResult {
    const probabilities = predictProbabilities(this.model, xs, count, EVAL_CHUNK);
    return { ...scoreProbabilities(probabilities, labels, count), probabilities };
  }

  syncToModel(): void {
    // The TF.js model is the engine: its variables are always current.
  }

  async getOptimizerState(): Promise<OptimizerState> {
    const [iterations, ...slots] = await this.optimizer.getWeights();
    const state = {
      step: this.optimizer.iterations,
      // Copies: a backend may hand out its own buffer.
      slots: slots.map(({ name, tensor }) => ({ name, shape: tensor.shape, data: Float32Array.from(tensor.dataSync()) })),
    };
    iterations.tensor.dispose();
    return state;
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    const named = [
      { name: 'iter', tensor: tf.scalar(state.step, 'int32') },
      ...state.slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) })),
    ];
    await this.optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function setLearningRate(optimizer: LrSettable, lr: number): void {
  // SGD caches -lr as a kept scalar and must rebuild it; Adam reads the field at each step.
  if (optimizer.learningRate === lr) return;
  if (optimizer.setLearningRate) optimizer.setLearningRate(lr);
  else optimizer.learningRate = lr;
}

/** Cross-entropy (with Keras's 1e-7 clipping) and accuracy of probabilities against labels. */
export function scoreProbabilities(probabilities: Float32Array, labels: Uint8Array, count: number): StepResult {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const row = probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++) if (row[c] > row[best]) best = c;
    if (best === labels[i]) correct++;
    loss -= Math.log(Math.min(Math.max(row[labels[i]], 1e-7), 1 - 1e-7));
  }
  return { loss: loss / count, accuracy: correct / count };
}
