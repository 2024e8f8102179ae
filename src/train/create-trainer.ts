// Picks the engine for a run: the native compiled trainer when the native backend is active, else TF.js.
import type * as tf from '@tensorflow/tfjs';
import type { Preset } from '../models/preset.js';
import type { TrainConfig } from './config.js';
import { TfjsTrainer } from './tfjs-trainer.js';
import type { Trainer } from './trainer.js';

export async function createTrainer(
  model: tf.Sequential,
  preset: Preset,
  config: TrainConfig,
  backend: string,
): Promise<Trainer> {
  const optimizer = { kind: preset.optimizer.kind, lr: config.lr };
  if (backend === 'native') {
    // TODO(native): compiled trainer lands with the native engine.
  }
  return new TfjsTrainer(model, optimizer);
}
