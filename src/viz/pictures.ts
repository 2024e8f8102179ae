// Writes a run's pictures into its pictures/ folder: renderCurves (cheap, each epoch) and renderRunPictures (all).
import type * as tf from '@tensorflow/tfjs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset } from '../data/load.js';
import { firstDigits, type Dataset, type DigitSet } from '../data/types.js';
import { loadModel } from '../models/io.js';
import { runFiles } from '../run/layout.js';
import { readRun, requireRunFiles, type RunRecord } from '../run/reader.js';
import type { StartRecord } from '../run/schema.js';
import { confidentMistakes, confusionMatrix, perClassAccuracy } from './analysis.js';
import { learningRateChart, perClassAccuracyChart, trainingCurvesChart, weightsChart, type ChartPicture } from './charts.js';
import { confusionMatrixPng, digitGridPng, fontDigits } from './canvas-png.js';
import type { Point } from './curve-data.js';
import { PICTURES, type PictureKey } from './picture-catalogue.js';
import { fontDigitsGrid, GRID_PER_ROW, GRID_ROWS, labelCaptions, pickImages, predictionGrid } from './prediction-grid.js';
import { argmaxRows, predictDigitSet, predictPixels } from './predictions.js';
import { validationNote } from './validation-note.js';

const STRIP = 24;
const MISTAKES_SHOWN = 24;
const MISTAKES_PER_ROW = 12;

export interface PictureOptions {
  /** Use this dataset instead of loading config.dataDir (tests, or a caller that already holds it). */
  dataset?: Dataset;
  /** Digits per prediction batch. */
  batchSize?: number;
}

export interface RenderedPictures {
  /** Every file written, absolute. */
  files: string[];
  /** Test digits predicted and how many were wrong. */
  count: number;
  errors: number;
  /** The confusion matrix behind the heatmap, [true][predicted]. */
  confusion: number[][];
  /** Font digits predicted wrong (null for datasets that are not digits). */
  fontErrors: number | null;
}

class PictureWriter {
  readonly files: string[] = [];
  constructor(private readonly dir: string) {}

  async png(key: PictureKey, png: Buffer): Promise<void> {
    await this.write(`${PICTURES[key].name}.png`, png);
  }

  async chart(key: PictureKey, chart: ChartPicture): Promise<void> {
    await this.png(key, chart.png);
    await this.write(`${PICTURES[key].name}.svg`, chart.svg);
  }

  /** Atomic (write a temporary file, then rename), so a server or browser never reads half a picture. */
  private async write(file: string, data: Buffer | string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, file);
    await writeFile(`${path}.tmp`, data);
    await rename(`${path}.tmp`, path);
    this.files.push(path);
  }
}

/** The plan of the run's latest start record (a resumed run appends one), or null before training starts. */
function startOf(run: RunRecord): StartRecord | null {
  const start = run.history.findLast((r) => r.type === 'start');
  return start?.type === 'start' ? start : null;
}

async function writeCurves(run: RunRecord, out: PictureWriter): Promise<void> {
  const { config, history } = run;
  const start = startOf(run);
  const epochs = start?.epochs ?? 1;
  const xTitle = start?.xTitle ?? 'epochs';
  await out.chart('curves', trainingCurvesChart(history, { zoom: start?.zoom ?? 1, epochs, validationNote: validationNote(config), xTitle }));
  if (start && start.lr.length > 0) await out.chart('learningRate', learningRateChart(start.lr, epochs, xTitle));
  if (history.some((r) => r.type === 'weights')) await out.chart('weights', weightsChart(history, epochs, xTitle));
}

/** plot_learning_rate before training: the planned rate as the learning-rate picture. */
export async function renderLearningRate(runDir: string, points: Point[], epochs: number, xTitle: string): Promise<string[]> {
  const out = new PictureWriter(runFiles(runDir).pictures);
  await out.chart('learningRate', learningRateChart(points, epochs, xTitle));
  return out.files;
}

/**
 * Training curves, the learning-rate plot and the weight bands from config.json + history.jsonl only: cheap enough for the training
 * loop to call at every epoch end, and correct on a partial history.
 */
export async function renderCurves(runDir: string): Promise<string[]> {
  const out = new PictureWriter(runFiles(runDir).pictures);
  await writeCurves(await readRun(runDir, 'renderCurves'), out);
  return out.files;
}

/** The 168-digit grid: validation digits, mistakes first, predictions under them with the wrong ones in red. */
async function writePredictionGrid(out: PictureWriter, test: DigitSet, predicted: Uint8Array): Promise<void> {
  const title = `${GRID_PER_ROW * GRID_ROWS} sample validation digits out of ${test.count} with bad predictions in red and sorted first`;
  await out.png('predictions', digitGridPng(predictionGrid(test, predicted, GRID_PER_ROW, title)));
}

/**
 * The prediction grid from probabilities the caller already has (training's validation at each epoch end),
 * so the live views refresh it without running the model again.
 */
export async function renderPredictionGrid(runDir: string, test: DigitSet, probabilities: Float32Array): Promise<string[]> {
  const out = new PictureWriter(runFiles(runDir).pictures);
  await writePredictionGrid(out, test, argmaxRows(probabilities, test.count));
  return out.files;
}

/** The font-digits row, predicted by the model (MNIST only); returns how many it got wrong. */
async function writeFontDigits(out: PictureWriter, model: tf.LayersModel, batchSize?: number): Promise<number> {
  const font = fontDigits(STRIP);
  const fontPredicted = (await predictPixels(model, font.pixels, font.count, batchSize)).predicted;
  await out.png('fontDigits', digitGridPng(fontDigitsGrid(font, fontPredicted, 'predictions from local fonts (bad predictions in red)')));
  return fontPredicted.filter((p, i) => p !== font.labels[i]).length;
}

/**
 * The codelab's "Visualize predictions" cell: the font digits (for MNIST) and the 168-digit grid of the test
 * digits with the mistakes first, from the probabilities the caller already has.
 */
export async function renderPredictionCell(
  runDir: string,
  model: tf.LayersModel,
  test: DigitSet,
  probabilities: Float32Array,
  dataset: string,
): Promise<{ files: string[]; fontErrors: number | null }> {
  const out = new PictureWriter(runFiles(runDir).pictures);
  const fontErrors = dataset === 'mnist' ? await writeFontDigits(out, model) : null;
  await writePredictionGrid(out, test, argmaxRows(probabilities, test.count));
  return { files: out.files, fontErrors };
}

/**
 * Every picture of a run: curves and LR plot, the digit strips, the font-digits row, the 168-digit prediction
 * grid, the confusion matrix, per-class accuracy and the most confident mistakes. The model runs once over the
 * test set (the first --val-limit digits when the run validated on fewer), in batches.
 */
export async function renderRunPictures(runDir: string, options: PictureOptions = {}): Promise<RenderedPictures> {
  requireRunFiles(runDir, ['config', 'history', 'model'], 'renderRunPictures');
  const run = await readRun(runDir, 'renderRunPictures');
  const { config } = run;
  const out = new PictureWriter(runFiles(runDir).pictures);
  await writeCurves(run, out);

  const dataset = options.dataset ?? (await loadDataset({ dir: config.dataDir, dataset: config.dataset }));
  const test = firstDigits(dataset.test, config.overrides.valLimit ?? dataset.test.count);
  const train = firstDigits(dataset.train, STRIP);
  const firstTest = firstDigits(test, STRIP);
  await out.png('trainingDigits', digitGridPng({ ...train, captions: labelCaptions(train.labels), perRow: STRIP, title: 'training digits and their labels' }));
  await out.png(
    'validationDigits',
    digitGridPng({ ...firstTest, captions: labelCaptions(firstTest.labels), perRow: STRIP, title: 'validation digits and their labels' }),
  );

  const model = await loadModel(runFiles(runDir).model);
  try {
    const predictions = await predictDigitSet(model, test, options.batchSize);
    const { predicted } = predictions;
    const fontErrors = dataset.name === 'mnist' ? await writeFontDigits(out, model, options.batchSize) : null;
    await writePredictionGrid(out, test, predicted);

    const confusion = confusionMatrix(test.labels, predicted);
    const errors = test.count - confusion.reduce((n, row, k) => n + row[k], 0);
    const note = validationNote(config, dataset.test.count);
    await out.png('confusionMatrix', confusionMatrixPng(confusion, dataset.classNames, `Confusion matrix on the ${note}: ${errors} errors in ${test.count}`));
    await out.chart('perClassAccuracy', perClassAccuracyChart(dataset.classNames, perClassAccuracy(confusion), note));

    const mistakes = confidentMistakes(predictions, test.labels, MISTAKES_SHOWN);
    await out.png(
      'confidentMistakes',
      digitGridPng({
        images: pickImages(
          test,
          mistakes.map((m) => m.index),
        ),
        count: mistakes.length,
        captions: mistakes.map((m) => [
          { text: `true ${m.label}`, wrong: false },
          { text: `pred ${m.predicted}`, wrong: true },
          { text: `p ${m.probability.toFixed(3)}`, wrong: false },
        ]),
        perRow: MISTAKES_PER_ROW,
        cellWidth: 76,
        title: errors === 0 ? `no mistakes on the ${test.count} test digits` : `the ${mistakes.length} most confident mistakes (of ${errors})`,
      }),
    );
    return { files: out.files, count: test.count, errors, confusion, fontErrors };
  } finally {
    model.dispose();
  }
}
