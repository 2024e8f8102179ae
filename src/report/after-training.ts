// The picture hooks of a training run: curves at each epoch end, and everything plus the report when it ends.
import { existsSync } from 'node:fs';
import { runFiles } from '../train/run-layout.js';
import { asciiChart } from '../viz/ascii-chart.js';
import { epochRecords } from '../viz/curve-data.js';
import type { DigitSet } from '../data/types.js';
import { renderCurves, renderPredictionGrid, type PictureOptions } from '../viz/pictures.js';
import { readRunInputs, validationNote } from '../viz/run-inputs.js';
import { writeReport } from './run-report.js';
import type { TextOut } from './text-out.js';

/**
 * At each epoch end: redraws curves.png/svg and learning-rate.png/svg from the history so far, and the
 * prediction grid from the epoch's validation probabilities.
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
  const inputs = await readRunInputs(runDir, 'pictures');
  const values = epochRecords(inputs.history).map((e) => e.val_accuracy);
  options.out.write(`${asciiChart(values, { width: 50, height: 10, label: `validation accuracy (${validationNote(inputs.config)}) per epoch` })}\n`);
  const files = runFiles(runDir);
  if (!existsSync(files.metrics) || !existsSync(`${files.model}/model.json`)) {
    await renderCurves(runDir);
    return null;
  }
  const report = await writeReport(runDir, { ...options, rerender: true });
  options.out.write(`report: ${report}\n`);
  return report;
}
