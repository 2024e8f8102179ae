// Two real tiny trials of `mnist-lab train 01-softmax` through the tuner's default trial command (the source-tree CLI).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tuneCommand } from '../../src/commands/tune.js';
import type { TrialResult } from '../../src/tune/store.js';
import { MNIST_DIR } from '../helpers/paths.js';
import { captureIo, tempDir, writeStudy } from '../helpers/tune.js';

const DATA_DIR = MNIST_DIR;
const hasData = existsSync(join(DATA_DIR, 't10k-labels-idx1-ubyte.gz'));
if (!hasData) console.warn(`real-trials.test.ts skipped: no MNIST files in ${DATA_DIR}`);

describe.skipIf(!hasData)('real training trials', () => {
  it('tunes the learning rate of 01-softmax over two tiny real runs', async () => {
    const cwd = tempDir('tune-real');
    const studyFile = writeStudy(cwd, [
      'goal: MINIMIZE',
      'metric: loss',
      'maxTrials: 2',
      'maxParallelTrials: 2',
      'algorithm: random',
      'preset: 01-softmax',
      `args: { steps: 5, limit: 500, val-limit: 500, epochs: 1, backend: cpu, no-pictures: true, data-dir: ${DATA_DIR} }`,
      'params:',
      '  - { name: lr, type: DOUBLE, minValue: 0.001, maxValue: 0.5, scaleType: UNIT_LOG_SCALE }',
    ]);
    const summary = await tuneCommand({ studyFile, out: 'study', io: captureIo(cwd) });
    expect(summary).toMatchObject({ completed: 2, failed: 0 });
    const dir = join(cwd, 'study');
    const results = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TrialResult);
    expect(results.map((r) => r.id).sort()).toEqual(['t001', 't002']);
    for (const r of results) {
      const run = join(dir, 'trials', r.id);
      const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
      expect(metrics.step).toBe('01-softmax');
      expect(r.objective).toBe(metrics.test_loss);
      expect(r.metrics?.test_accuracy).toBe(metrics.test_accuracy);
      // The one epoch record's val_loss is the intermediate objective.
      expect(r.intermediate).toHaveLength(1);
      expect(existsSync(join(run, 'model', 'model.json'))).toBe(true);
      // The trial's learning rate reached the training run.
      const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
      expect(config.overrides.lr).toBe(r.params.lr);
    }
  });
});
