// A lab session's pictures in Node: PNG and SVG files in the run folder (kept apart so that runs without pictures load no renderer).
import type { DatasetName } from '../data/types.js';
import { epochEndPictures } from '../report/after-training.js';
import type { PictureHooks } from '../train/session.js';
import type { TextOut } from '../util/text-out.js';
import { renderLearningRate, renderPredictionCell } from '../viz/pictures.js';

/** Pictures as PNG/SVG files in the run folder's pictures/, each saying where it went. */
export function runFolderPictures(runDir: string, dataset: DatasetName, out: TextOut): PictureHooks {
  return {
    learningRate: async (points, epochs, xTitle) => {
      const [png] = await renderLearningRate(runDir, points, epochs, xTitle);
      out.write(`learning-rate plot: ${png}\n`);
    },
    trainingPlot: ({ validation, probabilities }) => epochEndPictures(runDir, { set: validation, probabilities }),
    predictions: async (model, validation, probabilities) => {
      const { files, fontErrors } = await renderPredictionCell(runDir, model, validation, probabilities, dataset);
      if (fontErrors !== null) out.write(`font digits: ${24 - fontErrors} of 24 right\n`);
      out.write(`predictions: ${files.join(', ')}\n`);
    },
  };
}
