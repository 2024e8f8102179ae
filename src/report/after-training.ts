// The picture hooks of a training run: curves at each epoch end, and everything plus the report when it ends.
import { existsSync } from 'node:fs';
import type { DigitSet } from '../data/types.js';
import { runFiles } from '../run/layout.js';
import { readRun } from '../run/reader.js';
import type { TextOut } from '../util/text-out.js';
import { asciiChart } from '../viz/ascii-chart.js';
import { epochRecords } from '../viz/curve-data.js';
import { renderCurves, renderPredictionGrid, type PictureOptions } from '../viz/pictures.js';
import { validationNote } from '../viz/validation-note.js';
import { writeReport } from './run-report.js';

/**
 * At each epoch end: redraws curves.png/svg, learning-rate.png/svg and the weight bands from the history so far, and
 * the prediction grid from the epoch's validation probabilities.
 */
export async function epochEndPictures(runDir: string, validation: { set: DigitSet; probabilities: Float32Array }): Promise<void> {
  await renderCurves(runDir);
  await renderPredictionGrid(runDir, validation.set, validation.probabilities);
}

export interface FinishOptions extends PictureOptions {
  /** Where the ASCII chart and the report path are printed. */
  out: TextOut;
}

/**
 * When training ends: prints the validation accuracy per epoch as an ASCII chart, then renders every picture and
 * writes report.html if the run left its model and metrics (otherwise only the curves). Returns the report path.
 */
export async function finishRunPictures(runDir: string, options: FinishOptions): Promise<string | null> {
  const run = await readRun(runDir, 'pictures');
  const values = epochRecords(run.history).map((e) => e.val_accuracy);
  options.out.write(`${asciiChart(values, { width: 50, height: 10, label: `validation accuracy (${validationNote(run.config)}) per epoch` })}\n`);
  const files = runFiles(runDir);
  if (!existsSync(files.metrics) || !existsSync(`${files.model}/model.json`)) {
    await renderCurves(runDir);
    return null;
  }
  const report = await writeReport(runDir, { ...options, rerender: true });
  options.out.write(`report: ${report}\n`);
  return report;
}

