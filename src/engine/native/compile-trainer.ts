// Compiles a tf.Sequential into the native trainer (forward, backward and optimizer update in one call per
// batch), keeping its weights, BN statistics and optimizer slots exchangeable with TF.js.
import type * as tf from '@tensorflow/tfjs';
import { LabError, badArgument } from '../../errors.js';
import type { CompiledTrainer, EvalResult, LossSpec, NativeOptimizerSpec, OptimizerState, StepResult, TrainerOptions } from '../types.js';
import { type RawTrainer, loadAddon, setNativeThreads } from './addon.js';
import { type Translation, translate } from './translate.js';
import { type BoundWeight, bindWeights, pullWeights, pushWeights } from './weights.js';

class NativeCompiledTrainer implements CompiledTrainer {
  private raw: RawTrainer | null;
  private readonly weights: BoundWeight[];
  private readonly trainable: BoundWeight[];
  private readonly slotNames: string[];

  constructor(
    raw: RawTrainer,
    private readonly translation: Translation,
    private readonly batchSize: number,
  ) {
    this.raw = raw;
    this.weights = bindWeights(raw, translation.sources);
    this.trainable = this.weights.filter((w) => w.info.trainable);
    this.slotNames = raw.slotNames();
    this.pullWeightsFromModel();
  }

  private native(): RawTrainer {
    if (!this.raw) throw new LabError('NATIVE_FAILURE', 'the compiled trainer was disposed', { hint: 'compile the model again' });
    return this.raw;
  }

  step(xs: Float32Array, labels: Uint8Array, lr: number, seed: number): StepResult {
    const count = labels.length;
    const expected = count * this.translation.inputFeatures;
    if (count === 0 || count > this.batchSize || xs.length !== expected) {
      throw new LabError('BAD_INPUT', `step: xs has ${xs.length} floats for ${count} labels; expected ${expected} (${this.translation.inputFeatures} per sample, 1 to ${this.batchSize} samples)`);
    }
    if (!Number.isFinite(lr)) throw badArgument('lr', 'a finite number', lr);
    this.checkLabels('step', labels);
    return this.native().step(xs, labels, count, lr, seed >>> 0);
  }

  evaluate(xs: Float32Array, labels: Uint8Array, count: number): EvalResult {
    const { inputFeatures, classes } = this.translation;
    if (!Number.isInteger(count) || count < 1 || xs.length < count * inputFeatures || labels.length < count) {
      throw new LabError('BAD_INPUT', `evaluate: ${xs.length} floats and ${labels.length} labels for ${count} samples; expected at least ${count * inputFeatures} floats (${inputFeatures} per sample) and ${count} labels`);
    }
    this.checkLabels('evaluate', labels.subarray(0, count));
    const probabilities = new Float32Array(count * classes);
    const result = this.native().evaluate(xs, labels, count, probabilities);
    return { ...result, probabilities };
  }

  private checkLabels(what: string, labels: Uint8Array): void {
    const bad = labels.findIndex((label) => label >= this.translation.classes);
    if (bad >= 0) {
      throw new LabError('BAD_INPUT', `${what}: labels[${bad}] = ${labels[bad]} is not a class index below ${this.translation.classes}`, {
        hint: 'labels are class ids, 0 to the number of classes - 1',
      });
    }
  }

  pushWeightsToModel(): void {
    const raw = this.native();
    pushWeights(this.weights, (index) => raw.getWeight(index));
  }

  pullWeightsFromModel(): void {
    pullWeights(this.native(), this.weights);
  }

  getOptimizerState(): OptimizerState {
    const raw = this.native();
    const slots = this.slotNames.flatMap((slot) =>
      this.trainable.map((w) => ({ name: `${w.name}/${slot}`, shape: w.info.shape, data: raw.getSlot(w.index, slot) })),
    );
    return { step: raw.getOptimizerStep(), slots };
  }

  /**
   * Slots are matched by position, as TF.js's setWeights() does (variable names differ between two builds of one
   * model); each must end in the slot kind expected there (e.g. "/m") and have its variable's size. A state of
   * step 0 without slots is a fresh optimizer: the slots are zeroed.
   */
  setOptimizerState(state: OptimizerState): void {
    const raw = this.native();
    if (!Number.isInteger(state.step) || state.step < 0) throw badArgument('optimizer state step', 'an integer >= 0', state.step);
    const expected = this.slotNames.flatMap((slot) => this.trainable.map((w) => ({ w, slot })));
    const fresh = state.step === 0 && state.slots.length === 0;
    const hint = 'restore a state saved from the same model and optimizer';
    if (!fresh && state.slots.length !== expected.length) {
      const kinds = this.slotNames.length ? this.slotNames.map((s) => `/${s}`).join(', ') : 'none';
      throw new LabError('BAD_INPUT', `optimizer state has ${state.slots.length} slots; this optimizer has ${expected.length} (${kinds} for each of ${this.trainable.length} variables)`, { hint });
    }
    expected.forEach(({ w, slot }, i) => {
      const size = w.info.shape.reduce((a, b) => a * b, 1);
      const saved = fresh ? undefined : state.slots[i];
      if (saved && !saved.name.endsWith(`/${slot}`)) {
        throw new LabError('BAD_INPUT', `optimizer state slot ${i} is ${saved.name}; expected the /${slot} slot of ${w.name}`, { hint });
      }
      if (saved && saved.data.length !== size) {
        throw new LabError('BAD_INPUT', `optimizer slot ${saved.name} has ${saved.data.length} values; expected shape [${w.info.shape}] (${w.name})`, { hint });
      }
      raw.setSlot(w.index, slot, saved ? saved.data : new Float32Array(size));
    });
    raw.setOptimizerStep(state.step);
  }

  lastGradients(): Map<string, Float32Array> {
    const raw = this.native();
    return new Map(this.trainable.map((w) => [w.name, raw.getGradient(w.index)]));
  }

  dispose(): void {
    this.raw?.dispose();
    this.raw = null;
  }
}

function checkOptimizer(spec: NativeOptimizerSpec): void {
  const kinds = ['sgd', 'momentum', 'adam', 'rmsprop'];
  if (!kinds.includes(spec.kind)) throw badArgument('optimizer.kind', `one of ${kinds.join(', ')}`, spec.kind);
  for (const [key, value] of Object.entries(spec)) {
    if (key !== 'kind' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw badArgument(`optimizer.${key}`, 'a finite number', value, 'read the spec from a TF.js optimizer with optimizerSpecOf()');
    }
  }
}

function checkLoss(loss: LossSpec): void {
  if (loss.kind !== 'categorical' && loss.kind !== 'sparse') throw badArgument('loss.kind', "'categorical' or 'sparse'", loss.kind);
  if (!(loss.labelSmoothing >= 0 && loss.labelSmoothing < 1)) throw badArgument('loss.labelSmoothing', 'a number in [0, 1)', loss.labelSmoothing);
  if (loss.kind === 'sparse' && loss.labelSmoothing !== 0) {
    throw badArgument('loss.labelSmoothing', "0 for the 'sparse' loss (Keras smooths one-hot targets only)", loss.labelSmoothing);
  }
}

/**
 * Compiles the model into a native training step, or says why it cannot: the reason names the layer and option
 * (e.g. "layer conv2d_3 (Conv2D): dilationRate 2x2"), or how to enable the native engine. Bad options throw.
 */
export function compileTrainer(
  model: tf.Sequential,
  options: TrainerOptions,
): { trainer: CompiledTrainer } | { trainer: null; reason: string } {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw badArgument('batchSize', 'a positive integer', options.batchSize);
  checkOptimizer(options.optimizer);
  checkLoss(options.loss);
  const loaded = loadAddon();
  if (!('addon' in loaded)) return { trainer: null, reason: loaded.reason };
  const translation = translate(model);
  if ('unsupported' in translation) return { trainer: null, reason: translation.unsupported };
  setNativeThreads(loaded.addon, options.threads);
  let raw: RawTrainer;
  try {
    raw = new loaded.addon.Trainer({
      layers: translation.layers,
      batchSize: options.batchSize,
      labelSmoothing: options.loss.labelSmoothing,
      optimizer: options.optimizer,
    });
  } catch (err) {
    throw new LabError('NATIVE_FAILURE', (err as Error).message, { cause: err });
  }
  return { trainer: new NativeCompiledTrainer(raw, translation, options.batchSize) };
}
