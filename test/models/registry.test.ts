// The preset registry: lookup, the errors it gives for unknown presets and bad --hp-* values, and hyperparameters.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { PRESET_NAMES, getPreset, listPresets } from '../../src/models/index.js';

function errorOf(fn: () => unknown): LabError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('expected a LabError');
}

describe('preset registry', () => {
  it('lists the ten codelab steps in order, then mlengine', () => {
    expect(PRESET_NAMES.slice(0, 10).map((n) => n.slice(0, 2))).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10']);
    expect(listPresets().at(-1)?.name).toBe('mlengine');
  });

  it('rejects an unknown preset with UNKNOWN_PRESET, naming it and listing every preset', () => {
    const error = errorOf(() => getPreset('11-transformer'));
    expect(error.code).toBe('UNKNOWN_PRESET');
    expect(error.message).toContain('"11-transformer"');
    for (const name of PRESET_NAMES) expect(error.message).toContain(name);
    expect(error.hint).toContain('mnist-lab models');
  });

  it('rejects hyperparameters on presets that declare none, naming the flag', () => {
    const error = errorOf(() => getPreset('08-conv', { dropout: 0.5 }));
    expect(error.code).toBe('BAD_ARGUMENT');
    expect(error.message).toMatch(/^--hp-dropout must be .*08-conv has no hyperparameters; got 0.5$/);
    expect(getPreset('08-conv', {})).toBe(getPreset('08-conv'));
  });

  it('rejects an unknown mlengine key by listing the known flags', () => {
    const error = errorOf(() => getPreset('mlengine', { conv4: 8 }));
    expect(error.code).toBe('BAD_ARGUMENT');
    expect(error.message).toContain('--hp-conv4 must be one of the hyperparameters of mlengine');
    expect(error.message).toContain('--hp-lr2');
  });

  it.each([
    ['conv1', 0, 'an integer in [1, 256]'],
    ['conv2', 12.5, 'an integer in [1, 256]'],
    ['dropout', 1, 'a number in [0, 0.95]'],
    ['bnexp', Number.NaN, 'a number in [0, 0.9999]'],
    ['iterations', -5, 'an integer in [1, 1000000]'],
  ])('rejects --hp-%s=%s: must be %s', (key, value, rule) => {
    const error = errorOf(() => getPreset('mlengine', { [key]: value }));
    expect(error.code).toBe('BAD_ARGUMENT');
    expect(error.message).toContain(`--hp-${key} must be ${rule}`);
    expect(error.hint).toMatch(/^the default is /);
  });

  it('builds mlengine from task.py defaults, and from overrides', () => {
    const defaults = getPreset('mlengine');
    expect(defaults.hp).toEqual({ lr0: 0.02, lr1: 0.0001, lr2: 600, dropout: 0.3, conv1: 6, conv2: 12, conv3: 24, bnexp: 0.993, iterations: 3000 });
    expect(defaults).toMatchObject({ batchSize: 100, iterations: 3000, evalEvery: 100, lossScale: 100, epochs: 5 });
    expect(defaults.optimizer).toEqual({ kind: 'adam', lr: 0.0201 });
    expect(defaults.schedule?.(0, 600)).toBeCloseTo(0.0001 + 0.02 / Math.E, 12);

    const tuned = getPreset('mlengine', { conv1: 15, conv2: 38, conv3: 64, lr2: 601, iterations: 10000 });
    expect(tuned.hp).toMatchObject({ conv1: 15, conv2: 38, conv3: 64, lr2: 601, dropout: 0.3 });
    expect(tuned.epochs).toBe(17);
    const model = tuned.build();
    expect(model.countParams()).toBe(tuned.params.total);
    expect(model.layers[1].getConfig()).toMatchObject({ filters: 15, kernelSize: [6, 6] });
    model.dispose();
  });

  it('gives every fixed preset its recipe, lesson and choices', () => {
    for (const preset of listPresets()) {
      expect(preset.explain.length, preset.name).toBeGreaterThan(80);
      expect(preset.expected.accuracy).toBeGreaterThanOrEqual(0.6);
      expect(preset.expected.accuracy).toBeLessThan(1);
      expect(preset.expected.claim.length).toBeGreaterThan(5);
      expect((preset.schedule === null) === (preset.scheduleText === null), preset.name).toBe(true);
    }
    const byName = Object.fromEntries(listPresets().map((p) => [p.name, p]));
    expect(byName['10-conv-bn']).toMatchObject({ batchSize: 64, epochs: 10, zoom: 16, scheduleText: '0.01 * 0.666^epoch' });
    expect(byName['01-softmax']).toMatchObject({ batchSize: 128, optimizer: { kind: 'sgd', lr: 0.01 }, schedule: null });
    for (const open of ['02-sigmoid', '04-adam-fast', '06-deeper', '09-conv-dropout']) {
      expect(byName[open].choices.length, open).toBeGreaterThan(0);
    }
  });
});
