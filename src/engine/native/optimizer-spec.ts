// Reads a TF.js optimizer instance (tf.train.sgd, momentum, adam, rmsprop) into the native engine's spec.
import type * as tf from '@tensorflow/tfjs';
import type { NativeOptimizerSpec } from '../types.js';

type Config = Record<string, unknown>;

const SUPPORTED = 'natively: SGD, Momentum (Nesterov too), Adam, RMSProp';

/** The named hyperparameters as numbers, or the reason one is not a finite number. */
function numbers(config: Config, keys: string[], optimizer: string): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const key of keys) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) return `optimizer ${optimizer}: ${key} ${JSON.stringify(value)} is not a number`;
    out[key] = value;
  }
  return out;
}

/**
 * The native spec of a TF.js optimizer (its hyperparameters from getConfig(); the learning rate is given per
 * step), or why the native engine cannot run it: Adamax, Adagrad, Adadelta or a custom optimizer.
 */
export function optimizerSpecOf(optimizer: tf.Optimizer): NativeOptimizerSpec | { unsupported: string } {
  const className = (optimizer.getClassName() as string | undefined) ?? optimizer.constructor.name;
  const known = ['SGD', 'Momentum', 'Adam', 'RMSProp'].includes(className);
  const config = known ? (optimizer.getConfig() as Config) : {};
  switch (className) {
    case 'SGD':
      return { kind: 'sgd' };
    case 'Momentum': {
      const n = numbers(config, ['momentum'], className);
      return typeof n === 'string' ? { unsupported: n } : { kind: 'momentum', momentum: n['momentum'], nesterov: config['useNesterov'] === true };
    }
    case 'Adam': {
      const n = numbers(config, ['beta1', 'beta2', 'epsilon'], className);
      return typeof n === 'string' ? { unsupported: n } : { kind: 'adam', beta1: n['beta1'], beta2: n['beta2'], epsilon: n['epsilon'] };
    }
    case 'RMSProp': {
      const n = numbers(config, ['decay', 'momentum', 'epsilon'], className);
      if (typeof n === 'string') return { unsupported: n };
      return { kind: 'rmsprop', decay: n['decay'], momentum: n['momentum'], epsilon: n['epsilon'], centered: config['centered'] === true };
    }
    default:
      return { unsupported: `optimizer ${className || 'of an unnamed class'} (${SUPPORTED})` };
  }
}
