// The training config: preset defaults, checked overrides, and errors that name the field and the value.
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../src/models/index.js';
import { parseConfig, resolveConfig } from '../../src/train/config.js';
import { LabError } from '../../src/errors.js';

describe('resolveConfig', () => {
  it('takes the recipe from the preset', () => {
    const config = resolveConfig(getPreset('10-conv-bn'), '/data', {});
    expect(config).toMatchObject({ preset: '10-conv-bn', batchSize: 64, epochs: 10, lr: 0.01, seed: 0, backend: 'auto' });
  });

  it('applies overrides and keeps the rest', () => {
    const config = resolveConfig(getPreset('01-softmax'), '/data', { epochs: 3, seed: 7 });
    expect(config.epochs).toBe(3);
    expect(config.seed).toBe(7);
    expect(config.batchSize).toBe(128);
  });

  it('rejects a bad value naming the field and the value', () => {
    const attempt = () => resolveConfig(getPreset('01-softmax'), '/data', { batchSize: -4 });
    expect(attempt).toThrow(LabError);
    expect(attempt).toThrow(/batchSize.*-4/);
  });

  it('rejects unknown keys in a stored config', () => {
    const good = resolveConfig(getPreset('01-softmax'), '/data', {});
    expect(() => parseConfig({ ...good, bogus: 1 }, 'config.json')).toThrow(/config\.json/);
  });
});
