// The training hooks: curves at each epoch end; at the end the ASCII chart, every picture and the report.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { epochEndPictures, finishRunPictures } from '../../src/report/after-training.js';
import { runFiles } from '../../src/run/layout.js';
import { tempDirs } from '../helpers/tmp.js';
import { loadMnist, trainTinyModel, writeRun } from '../helpers/run-folders.js';

const newDir = tempDirs('after');

describe('training hooks', () => {
  it('epochEndPictures draws the charts and the prediction grid of an unfinished run; finishRunPictures prints the chart', async () => {
    const runDir = await newDir();
    await writeRun(runDir, { preset: '03-relu-adam', epochs: 5, trainedEpochs: 2 });
    const count = 48;
    const set = { images: new Uint8Array(count * 784).map((_, i) => (i * 7) % 256), labels: new Uint8Array(count).map((_, i) => i % 10), count };
    // The epoch's validation probabilities: right for all digits but the first three.
    const probabilities = new Float32Array(count * 10);
    set.labels.forEach((label, i) => (probabilities[i * 10 + (i < 3 ? (label + 1) % 10 : label)] = 1));
    await epochEndPictures(runDir, { set, probabilities });
    const pictures = runFiles(runDir).pictures;
    expect(existsSync(join(pictures, 'curves.png'))).toBe(true);
    expect(existsSync(join(pictures, 'learning-rate.png'))).toBe(true);
    let text = '';
    expect(await finishRunPictures(runDir, { out: { write: (s: string) => (text += s) } })).toBeNull();
    expect(text.split('\n')[0]).toBe('validation accuracy (10k test set) per epoch');
    expect(text.match(/\*/g)).toHaveLength(2);
    expect(existsSync(join(pictures, 'predictions.png'))).toBe(true);
    expect(existsSync(join(pictures, 'confident-mistakes.png'))).toBe(false);
  });

  it('finishRunPictures on a finished run writes every picture and the report', async () => {
    await tf.setBackend('cpu');
    const dataset = await loadMnist();
    const runDir = await newDir();
    await writeRun(runDir, { preset: '01-softmax', epochs: 3, trainedEpochs: 3, model: await trainTinyModel(dataset, 5), metrics: true, valLimit: 1000 });
    let text = '';
    const report = await finishRunPictures(runDir, { out: { write: (s: string) => (text += s) }, dataset });
    expect(report).toBe(runFiles(runDir).report);
    expect(existsSync(report!)).toBe(true);
    expect(existsSync(join(runFiles(runDir).pictures, 'confident-mistakes.png'))).toBe(true);
    expect(text).toContain('validation accuracy (first 1,000 test digits) per epoch');
    expect(text).toContain(`report: ${report}`);
  });
});
