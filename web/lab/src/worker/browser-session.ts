// The browser's lab session: digits from the fetched IDX files, TF.js on the page's engine, records and pictures to the page.
import * as tf from '@tensorflow/tfjs';
import { TrainBatches } from '../../../../src/data/pipeline.js';
import { firstDigits, type Dataset, type DatasetName, type DigitSet } from '../../../../src/data/types.js';
import { readProbabilities } from '../../../../src/engine/predict-probabilities.js';
import { TfjsTrainer } from '../../../../src/engine/tfjs-trainer.js';
import { argmaxRows } from '../../../../src/predict/predict.js';
import type { HistoryRecord } from '../../../../src/run/schema.js';
import { MemorySink } from '../../../../src/run/sink.js';
import { digitCounts, type DataSource, type EngineProvider, type LabSession, type LoadedDigits, type PictureHooks } from '../../../../src/train/session.js';
import { Rng } from '../../../../src/util/rng.js';
import { confusionMatrix } from '../../../../src/viz/analysis.js';
import type { FontDigits } from '../../../../src/viz/font-digits.js';
import { fontDigitsGrid, predictionGrid } from '../../../../src/viz/prediction-grid.js';
import type { Picture, RunRequest, WorkerMessage } from '../protocol.js';
import type { RunControl } from './run-control.js';

/** Digits per prediction batch. */
const PREDICT_BATCH = 1000;

/** What the worker gives one run's session. */
export interface BrowserRun {
  request: RunRequest;
  control: RunControl;
  post: (message: WorkerMessage, transfer?: Transferable[]) => void;
  /** A whole dataset, fetched and checked once per worker. */
  dataset: (name: DatasetName) => Promise<Dataset>;
  /** The 24 font digits (MNIST only). */
  fontDigits: () => Promise<FontDigits>;
}

/** The fetched digits cut to --limit/--val-limit; training batches from the codelab's pipeline, in this worker. */
function fetchedData(run: BrowserRun): DataSource {
  const counts = digitCounts(run.request.overrides);
  let loaded: Promise<LoadedDigits> | undefined;
  return {
    counts,
    load() {
      loaded ??= run.dataset(run.request.dataset).then((d) => ({
        name: d.name,
        train: firstDigits(d.train, counts.train),
        test: firstDigits(d.test, counts.test),
        classNames: d.classNames,
      }));
      return loaded;
    },
    stream(set, options, state) {
      const batches = state === undefined ? new TrainBatches(set, options) : TrainBatches.restore(set, options, state);
      return { stepsPerEpoch: batches.stepsPerEpoch, next: () => batches.next(), getState: () => batches.getState(), close: async () => undefined };
    },
  };
}

/** TF.js on the page's engine: its own trainOnBatch and predict, every result read back asynchronously (WebGPU must). */
const tfjsEngine: EngineProvider = {
  trainer: async (model, spec) => ({ trainer: new TfjsTrainer(model, spec.labels) }),
  predictor: async (model) => ({
    engine: `tfjs-${tf.getBackend()}`,
    probabilities: (images, count) => readProbabilities(model, images, count, PREDICT_BATCH),
    dispose: () => undefined,
  }),
};

/** Records kept for the model's history and posted to the page as they come, with the tensor count then. */
class PageSink extends MemorySink {
  constructor(private readonly run: BrowserRun) {
    super();
  }

  override async append(record: HistoryRecord): Promise<void> {
    await super.append(record);
    this.run.post({ type: 'record', runId: this.run.control.runId, record, numTensors: tf.memory().numTensors });
  }
}

/** The pictures as data the page draws: the learning-rate plan, the prediction grid, the confusion matrix, font digits. */
function pagePictures(run: BrowserRun): PictureHooks {
  const { runId } = run.control;
  // The prediction grid's pixels are a fresh copy and move to the page; the font digits are kept for the next run.
  const send = (picture: Picture) => run.post({ type: 'picture', runId, picture }, picture.kind === 'predictions' ? [picture.grid.images.buffer] : []);
  const predictionPictures = async (validation: DigitSet, probabilities: Float32Array) => {
    const predicted = argmaxRows(probabilities, validation.count);
    const matrix = confusionMatrix(validation.labels, predicted);
    const errors = validation.count - matrix.reduce((n, row, k) => n + row[k], 0);
    const { classNames } = await run.dataset(run.request.dataset);
    send({ kind: 'predictions', grid: predictionGrid(validation, predicted), errors, count: validation.count });
    send({ kind: 'confusion', matrix, classNames, errors, count: validation.count });
  };
  return {
    learningRate: async (points, epochs) => run.post({ type: 'lr-plan', runId, points, epochs }),
    trainingPlot: ({ validation, probabilities }) => predictionPictures(validation, probabilities),
    predictions: async (model, validation, probabilities) => {
      await predictionPictures(validation, probabilities);
      if (run.request.dataset !== 'mnist') return;
      const font = await run.fontDigits();
      const predicted = argmaxRows(await readProbabilities(model, font.pixels, font.count), font.count);
      const errors = predicted.filter((p, i) => p !== font.labels[i]).length;
      send({ kind: 'fontDigits', grid: fontDigitsGrid(font, predicted), errors });
    },
  };
}

/** A run's session in the worker, and the records it kept (the history the kept model carries). */
export function browserSession(run: BrowserRun): { session: LabSession; history: readonly HistoryRecord[] } {
  const sink = new PageSink(run);
  const session: LabSession = {
    stepName: run.request.step,
    seed: 0,
    rng: new Rng(0),
    overrides: run.request.overrides,
    hp: {},
    data: fetchedData(run),
    engine: tfjsEngine,
    sink,
    pictures: pagePictures(run),
    out: { write: (text: string) => run.post({ type: 'log', runId: run.control.runId, text }) },
    live: false,
    signal: run.control.signal,
    waitIfPaused: () => run.control.waitIfPaused(),
    threads: null,
    describe: false,
    fits: [],
  };
  return { session, history: sink.records };
}
