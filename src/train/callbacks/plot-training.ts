// PlotTraining: the codelab's live training plot (curves and the prediction grid redrawn at each epoch end).
import { badArgument } from '../../errors.js';
import { labSession } from '../session.js';
import type { Callback, FitContext } from './callback.js';

/** The codelab's PlotTraining(sample_rate, zoom): how often a batch is sampled and how far the curves zoom in. */
export interface PlotTrainingOptions {
  /** A training-batch sample every this many batches (the codelab's sample_rate=10). */
  sampleRate?: number;
  /** The y-axis zoom of the curves (the codelab's zoom: 1 for dense steps, 10 and 16 later). */
  zoom?: number;
}

/**
 * The codelab's PlotTraining(sample_rate, zoom): batch samples every `sampleRate` batches and the validation at each
 * epoch end, drawn as loss and accuracy curves (zoomed) with the prediction grid: PNG files in a run folder, the live
 * charts in the browser and on the dashboard.
 */
export function plotTraining(options: PlotTrainingOptions = {}): Callback {
  const { sampleRate = 10, zoom = 1 } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw badArgument('plotTraining sampleRate', 'a positive integer', sampleRate, 'the codelab samples every 10 batches: { sampleRate: 10 }');
  if (!(zoom > 0)) throw badArgument('plotTraining zoom', 'a number > 0', zoom, 'the codelab uses 1, 10 or 16');
  return {
    sampleRate,
    zoom,
    async onEpochEnd(_epoch: number, _logs, ctx: FitContext) {
      const pictures = labSession().pictures;
      if (pictures && ctx.lastValidation) await pictures.trainingPlot({ validation: ctx.lastValidation.set, probabilities: ctx.lastValidation.probabilities });
    },
  };
}
