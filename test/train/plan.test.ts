// Epoch planning: the codelab's steps per epoch, --steps caps, and mlengine's step-based evaluation periods.
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../src/models/index.js';
import { resolveConfig } from '../../src/train/config.js';
import { learningRate, planEpochs } from '../../src/train/loop.js';

const DATA_STEPS = (batch: number) => Math.floor(60000 / batch);

describe('planEpochs', () => {
  it('uses 60000 // batch steps per epoch, as the codelab: 468 at 128, 937 at 64', () => {
    const softmax = getPreset('01-softmax');
    expect(planEpochs(softmax, resolveConfig(softmax, '/d', {}), DATA_STEPS(128))).toEqual({ epochs: 10, stepsPerEpoch: 468, totalSteps: 4680 });
    const bn = getPreset('10-conv-bn');
    expect(planEpochs(bn, resolveConfig(bn, '/d', {}), DATA_STEPS(64))).toEqual({ epochs: 10, stepsPerEpoch: 937, totalSteps: 9370 });
  });

  it('caps steps per epoch with --steps', () => {
    const p = getPreset('03-relu-adam');
    expect(planEpochs(p, resolveConfig(p, '/d', { steps: 7, epochs: 2 }), 468)).toEqual({ epochs: 2, stepsPerEpoch: 7, totalSteps: 14 });
  });

  it('runs mlengine for its iterations, evaluating every evalEvery steps', () => {
    const p = getPreset('mlengine', { iterations: 250 });
    const plan = planEpochs(p, resolveConfig(p, '/d', {}), DATA_STEPS(100));
    expect(plan.totalSteps).toBe(250);
    expect(plan.stepsPerEpoch).toBe(p.evalEvery);
    expect(plan.epochs).toBe(Math.ceil(250 / p.evalEvery!));
  });
});

describe('learningRate', () => {
  it('follows the 0.6 decay table of keras_03 and rescales it with --lr', () => {
    const p = getPreset('05-lr-decay');
    const config = resolveConfig(p, '/d', {});
    expect(learningRate(p, config, 0, 0)).toBeCloseTo(0.01, 12);
    expect(learningRate(p, config, 9, 0)).toBeCloseTo(1.0077696e-4, 10);
    expect(learningRate(p, resolveConfig(p, '/d', { lr: 0.02 }), 9, 0)).toBeCloseTo(2.0155392e-4, 10);
  });

  it('is constant without a schedule', () => {
    const p = getPreset('03-relu-adam');
    expect(learningRate(p, resolveConfig(p, '/d', {}), 5, 1000)).toBe(0.001);
  });
});
