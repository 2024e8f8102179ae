// The lab's printed table: accuracy over seeds and the pass bar with the digits it was set with.
import { describe, expect, it } from 'vitest';
import { formatLabTable } from '../../src/commands/lab.js';
import type { LabRow } from '../../src/run/schema.js';
import { spread } from '../../src/util/stats.js';

function row(step: string, passBar: number, accuracies: number[]): LabRow {
  const accuracy = spread(accuracies);
  return {
    step,
    title: step,
    runs: accuracies.map((a, seed) => ({ seed, test_accuracy: a, seconds: 10, engine: 'native-compiled', runDir: `runs/${step}/seed-${seed}`, status: 'completed' })),
    accuracy,
    passBar,
    codelab: 'c',
    passed: accuracy.mean >= passBar,
    seconds: 10 * accuracies.length,
  };
}

describe('formatLabTable', () => {
  it('prints each pass bar with its own digits and the mean ± sd (range) of the seeds, marking a mean below its bar', () => {
    const table = formatLabTable([row('11-beyond', 0.9965, [0.9962, 0.997, 0.996]), row('01-softmax', 0.89, [0.8976, 0.8991, 0.9007]), row('06-deeper', 0.975, [0.98, 0.981, 0.982])]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/test accuracy, mean ± sd \(range\) of 3 seeds\s+pass bar/);
    expect(lines.find((l) => l.startsWith('11-beyond'))).toMatch(/99\.64% ± 0\.05 \(99\.60%-99\.70%\) \(below bar\)\s+99\.65%\s/);
    expect(lines.find((l) => l.startsWith('01-softmax'))).toMatch(/89\.91% ± 0\.16 \(89\.76%-90\.07%\)\s+89%\s/);
    expect(lines.find((l) => l.startsWith('06-deeper'))).toMatch(/98\.10% ± 0\.10 \(98\.00%-98\.20%\)\s+97\.5%\s/);
  });
});
