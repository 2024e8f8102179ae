// summarize/formatSummary against Keras's model.summary() of keras_05 (spec §1a: per-layer counts and totals).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSummary, summarize } from '../../src/models/summary.js';
import { stepModel } from '../helpers/steps.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model summary', () => {
  it("gives keras_05's rows: types, output shapes and per-layer parameters", async () => {
    const model = await stepModel('10-conv-bn');
    const summary = summarize(model);
    expect(summary.rows.map((r) => [r.type, r.outputShape, r.params])).toEqual([
      ['Reshape', [null, 28, 28, 1], 0],
      ['Conv2D', [null, 28, 28, 12], 108],
      ['BatchNormalization', [null, 28, 28, 12], 36],
      ['Activation', [null, 28, 28, 12], 0],
      ['Conv2D', [null, 14, 14, 24], 10368],
      ['BatchNormalization', [null, 14, 14, 24], 72],
      ['Activation', [null, 14, 14, 24], 0],
      ['Conv2D', [null, 7, 7, 32], 27648],
      ['BatchNormalization', [null, 7, 7, 32], 96],
      ['Activation', [null, 7, 7, 32], 0],
      ['Flatten', [null, 1568], 0],
      ['Dense', [null, 200], 313600],
      ['BatchNormalization', [null, 200], 600],
      ['Activation', [null, 200], 0],
      ['Dropout', [null, 200], 0],
      ['Dense', [null, 10], 2010],
    ]);
    expect([summary.total, summary.trainable, summary.nonTrainable]).toEqual([354538, 354002, 536]);
    model.dispose();
  });

  it('prints the Keras table with thousands separators and the three totals', async () => {
    const model = await stepModel('03-relu-adam');
    const lines = formatSummary(summarize(model)).split('\n');
    expect(lines[0]).toBe(`Model: "${model.name}"`);
    expect(lines[2]).toMatch(/^ Layer \(type\) +Output Shape +Param #$/);
    expect(lines[3]).toMatch(/^=+$/);
    expect(lines[4]).toMatch(/^ \S+ \(Dense\) +\(None, 200\) +157,000$/);
    expect(lines[5]).toMatch(/^ \S+ \(Dense\) +\(None, 60\) +12,060$/);
    expect(lines[6]).toMatch(/^ \S+ \(Dense\) +\(None, 10\) +610$/);
    expect(lines.slice(-4)).toEqual([
      'Total params: 169,670',
      'Trainable params: 169,670',
      'Non-trainable params: 0',
      '_'.repeat(lines[1].length),
    ]);
    const columns = lines.slice(4, 7).map((l) => l.indexOf('(None'));
    expect(new Set(columns).size).toBe(1);
    model.dispose();
  });

  it('ends with the BN totals of keras_05', async () => {
    const model = await stepModel('10-conv-bn');
    expect(formatSummary(summarize(model))).toContain('Total params: 354,538\nTrainable params: 354,002\nNon-trainable params: 536');
    model.dispose();
  });
});
