// Picks the engine for a run: the native compiled trainer when the native backend is active, else TF.js.
import type * as tf from '@tensorflow/tfjs';
import type { Preset } from '../models/preset.js';
import type { TrainConfig } from './config.js';
import { TfjsTrainer, makeOptimizer } from './tfjs-trainer.js';
import type { Trainer } from './trainer.js';

export interface CreatedTrainer {
  trainer: Trainer;
  /** Why the native compiled path was not used, when the native backend is active but the model isn't supported. */
  note?: string;
}

export async function createTrainer(model: tf.Sequential, preset: Preset, config: TrainConfig, backend: string): Promise<CreatedTrainer> {
  const optimizer = { kind: preset.optimizer.kind, lr: config.lr };
  if (backend === 'native') {
    const { compileTrainer, optimizerSpecOf } = await import('../engine/native/index.js');
    // The native step takes the TF.js optimizer's own hyperparameters; the loop applies the preset's loss scale to
    // what it reports, on every engine alike.
    const tfOptimizer = makeOptimizer(optimizer);
    const spec = optimizerSpecOf(tfOptimizer);
    tfOptimizer.dispose();
    const loss = { kind: 'categorical' as const, labelSmoothing: 0 };
    const compiled =
      'unsupported' in spec
        ? { trainer: null, reason: spec.unsupported }
        : compileTrainer(model, { optimizer: spec, loss, batchSize: config.batchSize, threads: config.threads ?? undefined });
    if (compiled.trainer) {
      const native = compiled.trainer;
      return {
        trainer: {
          engine: 'native',
          step: (xs, labels, lr, seed) => native.step(xs, labels, lr, seed),
          evaluate: (xs, labels, count) => native.evaluate(xs, labels, count),
          syncToModel: () => native.pushWeightsToModel(),
          getOptimizerState: () => native.getOptimizerState(),
          setOptimizerState: (state) => native.setOptimizerState(state),
          dispose: () => native.dispose(),
        },
      };
    }
    return { trainer: new TfjsTrainer(model, optimizer), note: `native compiled step unavailable (${compiled.reason}); training op by op` };
  }
  return { trainer: new TfjsTrainer(model, optimizer) };
}
