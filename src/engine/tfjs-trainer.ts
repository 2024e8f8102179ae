// The trainer on any TF.js backend: TF.js's own trainOnBatch with the model's compiled optimizer, loss and metrics.
import * as tf from '@tensorflow/tfjs';
import { readProbabilities } from './predict-probabilities.js';
import { setLearningRate } from './learning-rate.js';
import { scoreProbabilities } from '../util/probability-score.js';
import type { EvalResult, LabelFormat, OptimizerState, StepResult, Trainer } from './types.js';

const EVAL_CHUNK = 1000;


export class TfjsTrainer implements Trainer {
  readonly engine: string;
  private readonly optimizer: tf.Optimizer;
  private readonly inputShape: number[];
  private readonly classes: number;
  private readonly inputSize: number;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly labels: LabelFormat,
  ) {
    this.engine = `tfjs-${tf.getBackend()}`;
    this.optimizer = model.optimizer;
    this.inputShape = model.inputs[0].shape.slice(1) as number[];
    this.classes = (model.outputs[0].shape.at(-1) as number | null) ?? 10;
    this.inputSize = this.inputShape.reduce((a, b) => a * b, 1);
  }

  async step(xs: Float32Array, labels: Uint8Array, lr: number): Promise<StepResult> {
    setLearningRate(this.optimizer, lr);
    const size = labels.length;
    const [x, y] = tf.tidy(() => [tf.tensor(xs, [size, ...this.inputShape]), this.targets(labels)]);
    try {
      // Sync point: trainOnBatch reads back the loss and metrics (Keras's progress bar does the same).
      const out = await this.model.trainOnBatch(x, y);
      const [loss, accuracy] = Array.isArray(out) ? out : [out, Number.NaN];
      return { loss, accuracy };
    } finally {
      tf.dispose([x, y]);
    }
  }

  /**
   * Accuracy, and the loss the model was compiled with (Keras's val_loss is model.evaluate's: any loss, not only
   * cross-entropy); read back asynchronously, as every backend can (WebGPU in a browser only so).
   */
  async evaluate(xs: Float32Array, labels: Uint8Array, count: number): Promise<EvalResult> {
    const probabilities = await readProbabilities(this.model, xs, count, EVAL_CHUNK);
    const { accuracy } = scoreProbabilities(probabilities, labels, count, this.classes);
    // model.evaluate applies the compiled loss, whichever it is (a Sequential keeps its loss functions private).
    const result = tf.tidy(() => {
      const x = tf.tensor(xs.subarray(0, count * this.inputSize), [count, ...this.inputShape]);
      const out = this.model.evaluate(x, this.targets(labels.subarray(0, count)), { batchSize: EVAL_CHUNK });
      return Array.isArray(out) ? out[0] : out;
    });
    const loss = (await result.data())[0];
    result.dispose();
    return { loss, accuracy, probabilities };
  }

  /** Labels as the compiled loss takes them: class ids for a sparse loss, one-hot rows otherwise. */
  private targets(labels: Uint8Array): tf.Tensor {
    const ids = tf.tensor1d(labels, 'int32');
    return this.labels === 'sparse' ? ids.toFloat() : tf.oneHot(ids, this.classes).toFloat();
  }

  syncToModel(): void {
    // The TF.js model is the engine: its variables are always current.
  }

  async getOptimizerState(): Promise<OptimizerState> {
    const weights = await this.optimizer.getWeights();
    const iterations = weights.find((w) => w.name === 'iter');
    const slots = weights.filter((w) => w !== iterations);
    const state = {
      step: this.optimizer.iterations,
      // Copies: a backend may hand out its own buffer.
      slots: await Promise.all(slots.map(async ({ name, tensor }) => ({ name, shape: tensor.shape, data: Float32Array.from(await tensor.data()) }))),
    };
    iterations?.tensor.dispose();
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
    // The optimizer belongs to the model (model.compile made it); the model's owner disposes both.
  }
}
