// renderRunPictures / renderCurves on hand-written run folders with a quickly trained model and the real test set.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIXELS, type Dataset } from '../../src/data/types.js';
import { LabError } from '../../src/errors.js';
import { runFiles } from '../../src/run/layout.js';
import { gridLayout } from '../../src/viz/digit-grid.js';
import { fontDigits } from '../../src/viz/canvas-png.js';
import { renderCurves, renderRunPictures } from '../../src/viz/pictures.js';
import { GRID_PER_ROW, GRID_ROWS } from '../../src/viz/prediction-grid.js';
import { tempDirs } from '../helpers/tmp.js';
import { loadMnist, trainTinyModel, writeRun } from '../helpers/run-folders.js';
import { countColour, decodePng, greyVariance, RED } from '../helpers/png.js';

const newDir = tempDirs('viz');

/** Plain oracle: one model.predict over all digits, argmax with tf ops. */
async function oraclePredictions(model: tf.LayersModel, pixels: Float32Array, count: number): Promise<Int32Array> {
  const x = tf.tensor2d(pixels, [count, PIXELS]);
  const y = model.predict(x) as tf.Tensor;
  const argmax = y.argMax(1);
  const out = (await argmax.data()) as Int32Array;
  tf.dispose([x, y, argmax]);
  return out;
}

describe('renderRunPictures', () => {
  let dataset: Dataset;
  let model: tf.Sequential;
  let runDir: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dataset = await loadMnist();
    model = await trainTinyModel(dataset);
    runDir = await newDir();
    await writeRun(runDir, { preset: '10-conv-bn', epochs: 10, trainedEpochs: 10, model, metrics: true });
  });

  it('writes every picture, at its size, not blank, with red labels exactly under wrong predictions', async () => {
    const before = tf.memory().numTensors;
    const result = await renderRunPictures(runDir, { dataset });
    expect(tf.memory().numTensors).toBe(before);
    const dir = runFiles(runDir).pictures;
    const names = result.files.map((f) => f.slice(dir.length + 1)).sort();
    expect(names).toEqual(
      [
        'confident-mistakes.png',
        'confusion-matrix.png',
        'curves.png',
        'curves.svg',
        'font-digits.png',
        'learning-rate.png',
        'learning-rate.svg',
        'per-class-accuracy.png',
        'per-class-accuracy.svg',
        'predictions.png',
        'training-digits.png',
        'validation-digits.png',
        'weights.png',
        'weights.svg',
      ].sort(),
    );
    for (const file of result.files.filter((f) => f.endsWith('.png'))) {
      expect(greyVariance(await decodePng(await readFile(file))), file).toBeGreaterThan(50);
    }

    // Oracle predictions on the whole test set.
    const test = dataset.test;
    const predicted = await oraclePredictions(model, Float32Array.from(test.images, (v) => v / 256), test.count);
    const wrong = [...predicted.keys()].filter((i) => predicted[i] !== test.labels[i]);
    expect(result.count).toBe(10_000);
    expect(result.errors).toBe(wrong.length);
    expect(result.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(wrong.length).toBeGreaterThan(0);

    // 168 tiles, mistakes first: the first min(168, errors) captions are red, the rest are not.
    const grid = await decodePng(await readFile(join(dir, 'predictions.png')));
    const layout = gridLayout(GRID_PER_ROW * GRID_ROWS, GRID_PER_ROW, 1, true);
    expect([grid.width, grid.height]).toEqual([layout.width, layout.height]);
    const reds = Array.from({ length: 168 }, (_, i) => countColour(grid, layout.caption(i, 0), RED, 60) > 5);
    expect(reds).toEqual(Array.from({ length: 168 }, (_, i) => i < Math.min(168, wrong.length)));
    // The first tile is the first wrong digit in file order.
    const tile = layout.tile(0);
    const first = wrong[0];
    const at = ((tile.y + 2 * 14 + 1) * grid.width + tile.x + 2 * 14 + 1) * 4;
    expect(grid.data[at]).toBe(255 - test.images[first * PIXELS + 14 * 28 + 14]);

    // Font row: red exactly under the oracle's wrong font predictions.
    const font = fontDigits(24);
    const fontPredicted = await oraclePredictions(model, font.pixels, 24);
    const fontWrong = Array.from(fontPredicted, (p, i) => p !== font.labels[i]);
    expect(result.fontErrors).toBe(fontWrong.filter(Boolean).length);
    const row = await decodePng(await readFile(join(dir, 'font-digits.png')));
    const rowLayout = gridLayout(24, 24, 1, true);
    expect(Array.from({ length: 24 }, (_, i) => countColour(row, rowLayout.caption(i, 0), RED, 60) > 5)).toEqual(fontWrong);
  });

  it('on a run validated on the first 400 test digits: fewer mistakes than tiles, so red stops where they end', async () => {
    const dir = await newDir();
    await writeRun(dir, { preset: '01-softmax', epochs: 2, trainedEpochs: 2, model, metrics: true, valLimit: 400 });
    const result = await renderRunPictures(dir, { dataset });
    expect(result.count).toBe(400);
    expect(result.confusion.flat().reduce((a, b) => a + b, 0)).toBe(400);
    const subset = { ...dataset.test, count: 400 };
    const predicted = await oraclePredictions(model, Float32Array.from(subset.images.subarray(0, 400 * PIXELS), (v) => v / 256), 400);
    const errors = [...predicted.keys()].filter((i) => predicted[i] !== subset.labels[i]).length;
    expect(result.errors).toBe(errors);
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThan(168);
    const grid = await decodePng(await readFile(join(runFiles(dir).pictures, 'predictions.png')));
    const layout = gridLayout(168, GRID_PER_ROW, 1, true);
    const reds = Array.from({ length: 168 }, (_, i) => countColour(grid, layout.caption(i, 0), RED, 60) > 5);
    expect(reds).toEqual(Array.from({ length: 168 }, (_, i) => i < errors));
  });

  it('renderCurves works on a run still training (no model, no metrics) and renders what exists', async () => {
    const dir = await newDir();
    await writeRun(dir, { preset: '05-lr-decay', epochs: 10, trainedEpochs: 2 });
    const files = await renderCurves(dir);
    expect(files.map((f) => f.split('/').at(-1)).sort()).toEqual([
      'curves.png',
      'curves.svg',
      'learning-rate.png',
      'learning-rate.svg',
      'weights.png',
      'weights.svg',
    ]);
    const curves = await decodePng(await readFile(files.find((f) => f.endsWith('curves.png'))!));
    expect([curves.width, curves.height]).toEqual([1152, 504]);
    // Weight bands: red on the left panel, green on the right, drawn only over the 2 epochs trained so far.
    const weights = await decodePng(await readFile(files.find((f) => f.endsWith('weights.png'))!));
    expect([weights.width, weights.height]).toEqual([1152, 504]);
    // Inside the plot areas only (titles and axis labels are dark red).
    const tinted = (x0: number, x1: number, channel: 0 | 1) => {
      let n = 0;
      for (let y = 45; y < 450; y++) {
        for (let x = x0; x < x1; x++) {
          const at = (y * weights.width + x) * 4;
          const [r, g, b] = [weights.data[at], weights.data[at + 1], weights.data[at + 2]];
          if (channel === 0 ? r - g > 40 && r - b > 40 : g - r > 40 && g - b > 40) n++;
        }
      }
      return n;
    };
    expect(tinted(60, 155, 0)).toBeGreaterThan(2000); // epochs 0-2 of the weights panel
    expect(tinted(200, 560, 0)).toBe(0); // epochs not trained yet
    expect(tinted(645, 740, 1)).toBeGreaterThan(500);
    expect(tinted(790, 1140, 1)).toBe(0);
    expect(tinted(60, 560, 1) + tinted(645, 1140, 0)).toBe(0);
    await expect(renderRunPictures(dir, { dataset })).rejects.toMatchObject({ code: 'RUN_INCOMPLETE' });
    expect(existsSync(join(runFiles(dir).pictures, 'predictions.png'))).toBe(false);
  });

  it('renderCurves on a folder without config names the missing files', async () => {
    const dir = await newDir();
    const error = await renderCurves(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toContain('config.json');
    expect((error as LabError).message).toContain('history.jsonl');
  });
});

describe('damaged run files', () => {
  it('names a config.json that is not JSON', async () => {
    const dir = await newDir();
    await writeRun(dir, { preset: '01-softmax', epochs: 2, trainedEpochs: 1 });
    await writeFile(runFiles(dir).config, '{"preset": "01-soft');
    await expect(renderCurves(dir)).rejects.toMatchObject({ code: 'BAD_RUN_FILE', message: expect.stringContaining(runFiles(dir).config) });
  });

  it('names the file and the field of a record that breaks its schema', async () => {
    const dir = await newDir();
    await writeRun(dir, { preset: '01-softmax', epochs: 2, trainedEpochs: 1 });
    const history = await readFile(runFiles(dir).history, 'utf8');
    await writeFile(runFiles(dir).history, history.replace('"val_accuracy":', '"val_accuracy":"high","was":'));
    await expect(renderCurves(dir)).rejects.toMatchObject({
      code: 'BAD_RUN_FILE',
      message: expect.stringMatching(/history\.jsonl line \d+: /),
    });
  });
});
