// Keras BatchNormalization that also trains with scale: false (TF.js 4.22's crashes on gamma.read()), saved under Keras's own class name.
import * as tf from '@tensorflow/tfjs';

type StockBatchNorm = ReturnType<typeof tf.layers.batchNormalization>;
type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type BatchNormCtor = tf.serialization.SerializableConstructor<StockBatchNorm> &
  (new (args?: BatchNormArgs) => StockBatchNorm);

/** What the stock layer keeps after build(); TF.js declares these private, so they are read through this view. */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

const CLASS_NAME = 'BatchNormalization';
// Taken from TF.js's own registry before ours replaces the entry below.
const Stock = tf.serialization.SerializationMap.getMap().classNameMap[CLASS_NAME][0] as unknown as BatchNormCtor;

/**
 * Batch normalisation with Keras semantics. Training: normalise with the batch mean and biased variance over all
 * axes but the channel axis, y = (x - mean) / sqrt(var + epsilon) * gamma + beta (gamma = 1 when scale is false,
 * beta = 0 when center is false), then moving = moving * momentum + batch * (1 - momentum). Inference: the same
 * with the moving statistics (the stock layer's path, which already handles scale: false).
 *
 * The training gradient is the closed form of the batch-norm backward pass, written as a custom gradient: it
 * replaces TF.js's generic FusedBatchNorm gradient (which tiles the inverse deviation to the input's size).
 */
export class BatchNormalization extends Stock {
  static override className = CLASS_NAME;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const state = this as unknown as BatchNormState;
    const channelAxis = state.axis < 0 ? state.axis + x.rank : state.axis;
    if (kwargs['training'] !== true || channelAxis !== x.rank - 1) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const reductionAxes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = tf.moments(x, reductionAxes);
      const channels = x.shape[channelAxis];
      const gamma = state.gamma ? state.gamma.read() : tf.ones([channels]);
      const beta = state.beta ? state.beta.read() : tf.zeros([channels]);
      const y = normalizeInTraining(state.epsilon, reductionAxes)(x, mean, variance, beta, gamma);
      updateMovingAverage(state.movingMean, mean, state.momentum);
      updateMovingAverage(state.movingVariance, variance, state.momentum);
      return y;
    });
  }
}
tf.serialization.registerClass(BatchNormalization);

/** The factory the presets use, like tf.layers.batchNormalization(args) but returning the fixed layer. */
export function batchNormalization(args: BatchNormArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}

/** (x, mean, variance, beta, gamma) → normalised x, whose gradient is the closed-form batch-norm backward. */
function normalizeInTraining(epsilon: number, reductionAxes: number[]): (...args: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, mean, variance, beta, gamma] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xHat = tf.mul(tf.sub(x, mean), invStd);
    save([xHat, tf.mul(gamma, invStd)]);
    return {
      value: tf.add(tf.mul(xHat, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedXHat, gammaInvStd] = saved;
        const count = dy.size / dy.shape[dy.rank - 1];
        const dBeta = tf.sum(dy, reductionAxes);
        const dGamma = tf.sum(tf.mul(dy, savedXHat), reductionAxes);
        // dx = gamma / std * (dy - mean(dy) - xHat * mean(dy * xHat)); the batch statistics' own gradients are
        // folded into this form, so mean and variance receive zeros.
        const centred = tf.sub(tf.sub(dy, tf.div(dBeta, count)), tf.mul(savedXHat, tf.div(dGamma, count)));
        const dx = tf.mul(centred, gammaInvStd);
        return [dx, tf.zerosLike(mean), tf.zerosLike(variance), dBeta, dGamma];
      },
    };
  });
}

function updateMovingAverage(variable: tf.LayerVariable, batchValue: tf.Tensor, momentum: number): void {
  const moving = variable.read();
  variable.write(tf.add(tf.mul(moving, momentum), tf.mul(batchValue, 1 - momentum)));
}
