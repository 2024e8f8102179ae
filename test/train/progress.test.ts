// Console output: the live bar (ETA, loss, accuracy, learning rate) on a TTY, plain epoch lines otherwise.
import { describe, expect, it } from 'vitest';
import { formatLr, Progress } from '../../src/train/progress.js';
import type { EpochRecord } from '../../src/run/schema.js';
import { Capture } from '../helpers/capture.js';

const record: EpochRecord = { type: 'epoch', epoch: 0, loss: 0.5, accuracy: 0.9, val_loss: 0.4, val_accuracy: 0.91, lr: 0.006, seconds: 2 };

describe('Progress', () => {
  it('draws a bar with ETA, loss, accuracy and learning rate on a TTY', () => {
    const stream = new Capture();
    const progress = new Progress({ stream, live: true });
    progress.startEpoch(1, 10);
    progress.step(468, 468, 0.1234, 0.9876, 0.006);
    expect(stream.text).toContain('Epoch 2/10\n');
    expect(stream.text).toMatch(/468\/468 \[=+\] - ETA: 0s - loss: 0\.1234 - accuracy: 0\.9876 - lr: 0\.006/);
  });

  it('prints only plain epoch lines when not a TTY', () => {
    const stream = new Capture();
    const progress = new Progress({ stream, live: false });
    progress.startEpoch(0, 10);
    progress.step(10, 468, 0.5, 0.9, 0.01);
    progress.endEpoch(record, 468);
    expect(stream.text).not.toContain('ETA');
    expect(stream.text).not.toContain('\r');
    expect(stream.text).toContain('val_accuracy: 0.9100 - lr: 0.006');
  });

  it('formats learning rates as Keras prints them', () => {
    expect(formatLr(0.01 * 0.6 ** 9)).toBe('0.00010078');
    expect(formatLr(0.001)).toBe('0.001');
  });
});
