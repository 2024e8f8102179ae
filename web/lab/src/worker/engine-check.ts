// Checks the page's engine against TF.js's cpu backend on a lab file's own model: one training step's loss and gradients.
import * as tf from '@tensorflow/tfjs';
import { toBatch } from '../../../../src/data/pipeline.js';
import type { DigitSet } from '../../../../src/data/types.js';
import { describeLabFile, disposeModel } from '../../../../src/train/session.js';
import type { EngineCheck, EngineName } from '../protocol.js';

/** Digits in the checked batch. */
const BATCH = 16;
/** Seeds every dropout layer, so both engines drop the same units (TF.js draws seeded masks on the CPU). */
const DROPOUT_SEED = 1234;

interface StepResult {
  loss: number;
  gradients: Float32Array[];
}

type Compiled = { lossFunctions: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[] };

/** The loss function model.compile resolved, as training applies it (a Sequential keeps it in its inner model). */
function compiledLoss(model: tf.LayersModel): Compiled['lossFunctions'][number] {
  const inner = (model as unknown as { model?: Compiled }).model ?? (model as unknown as Compiled);
  return inner.lossFunctions[0];
}

/** The loss and every trainable weight's gradient of one training-mode step of `model` on the batch. */
async function oneStep(model: tf.LayersModel, images: Float32Array, labels: Uint8Array, sparse: boolean): Promise<StepResult> {
  for (const layer of model.layers) if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = DROPOUT_SEED;
  const count = labels.length;
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  const xs = tf.tensor(images, [count, ...inputShape]);
  const ids = tf.tensor1d(labels, 'int32');
  const ys = sparse ? ids.toFloat() : tf.oneHot(ids, 10).toFloat();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const lossOf = compiledLoss(model);
  const { value, grads } = tf.variableGrads(() => tf.mean(lossOf(ys, model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar, variables);
  try {
    return {
      loss: (await value.data())[0],
      gradients: await Promise.all(variables.map(async (v) => Float32Array.from(await grads[v.name].data()))),
    };
  } finally {
    tf.dispose([xs, ids, ys, value, ...Object.values(grads)]);
  }
}

/**
 * Each weight's largest gradient difference from the reference, over that weight's largest reference gradient, or
 * over 1% of the model's largest when the weight's own are smaller: a bias that batch norm cancels has gradients
 * that are rounding noise around zero, which no engine reproduces digit for digit.
 */
function relativeDifferences(gradients: Float32Array[], reference: Float32Array[]): number[] {
  const largest = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const floor = Math.max(1e-12, ...reference.map(largest)) * 0.01;
  return gradients.map((g, k) => {
    let difference = 0;
    for (let i = 0; i < g.length; i++) difference = Math.max(difference, Math.abs(g[i] - reference[k][i]));
    return difference / Math.max(floor, largest(reference[k]));
  });
}

/**
 * Builds the lab file's model (its cells up to fit, in a session that trains nothing) on cpu and on each of
 * `engines`, gives every copy the cpu model's weights, and compares one training step on the first training digits.
 */
export async function checkEngines(main: () => unknown, options: { file: string; step: string; engines: EngineName[]; train: DigitSet }): Promise<EngineCheck[]> {
  const batch = toBatch(options.train, 0, BATCH);
  /** One step on `backend`, from `weights` when given (else the model's own); gives the weights it started from. */
  const stepOn = async (backend: string, weights: Float32Array[] | null) => {
    await tf.setBackend(backend);
    const plan = await describeLabFile(main, { file: options.file, stepName: options.step });
    try {
      if (weights) {
        const values = plan.model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape));
        plan.model.setWeights(values);
        tf.dispose(values);
      }
      const start = await Promise.all(plan.model.getWeights().map(async (w) => Float32Array.from(await w.data())));
      return { ...(await oneStep(plan.model, batch.xs, batch.labels, plan.loss.startsWith('sparse'))), weights: start };
    } finally {
      disposeModel(plan.model);
    }
  };
  const reference = await stepOn('cpu', null);
  const checks: EngineCheck[] = [];
  for (const engine of options.engines) {
    const checked = await stepOn(engine, reference.weights);
    checks.push({
      engine,
      step: options.step,
      loss: checked.loss,
      referenceLoss: reference.loss,
      gradients: relativeDifferences(checked.gradients, reference.gradients),
    });
  }
  return checks;
}
