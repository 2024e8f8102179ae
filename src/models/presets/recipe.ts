// The training recipe the Keras notebooks share (10 epochs of batch 128, Adam 0.01 with 0.6 decay), named once.
import { exponentialEpochDecay } from '../../train/schedules.js';
import type { OptimizerSpec } from '../preset.js';

export const KERAS_EPOCHS = 10;
export const KERAS_BATCH_SIZE = 128;

/** keras_03..05: tf.keras.optimizers.Adam(lr=0.01). */
export const ADAM_001: OptimizerSpec = { kind: 'adam', lr: 0.01 };

/** keras_03 and keras_04: lr_decay(epoch) = 0.01 * math.pow(0.6, epoch). */
export const DECAY_06 = { schedule: exponentialEpochDecay(0.01, 0.6), scheduleText: '0.01 * 0.6^epoch' };
