// A lab session held in memory for tests: tiny digit sets, TF.js on the active backend, records kept in a list.
import { TrainBatches } from '../../src/data/pipeline.js';
import type { DigitSet } from '../../src/data/types.js';
import { predictProbabilities } from '../../src/engine/predict-probabilities.js';
import { TfjsTrainer } from '../../src/engine/tfjs-trainer.js';
import { MemorySink } from '../../src/run/sink.js';
import { NO_OVERRIDES, type Overrides } from '../../src/run/schema.js';
import type { LabSession } from '../../src/train/session.js';
import { Rng } from '../../src/util/rng.js';
import { indexedDigits } from './digit-files.js';
import { Capture } from './capture.js';

export interface MemorySessionOptions {
  train?: DigitSet;
  test?: DigitSet;
  overrides?: Partial<Overrides>;
  hp?: Record<string, number>;
  signal?: AbortSignal;
  describe?: boolean;
}

/** A session over in-memory digits; `out` captures what the API prints, `sink.records` what it records. */
export function memorySession(options: MemorySessionOptions = {}): LabSession & { out: Capture; sink: MemorySink } {
  const train = options.train ?? indexedDigits(64);
  const test = options.test ?? indexedDigits(20);
  return {
    stepName: 'test-step',
    seed: 0,
    rng: new Rng(0),
    overrides: { ...NO_OVERRIDES, ...options.overrides },
    hp: options.hp ?? {},
    data: {
      counts: { train: train.count, test: test.count },
      load: async () => ({ name: 'mnist', train, test, classNames: [...'0123456789'] }),
      stream: (set, batchOptions, state) => {
        const batches = state ? TrainBatches.restore(set, batchOptions, state) : new TrainBatches(set, batchOptions);
        return { stepsPerEpoch: batches.stepsPerEpoch, next: () => batches.next(), getState: () => batches.getState(), close: async () => {} };
      },
    },
    engine: {
      trainer: async (model, spec) => ({ trainer: new TfjsTrainer(model, spec.labels) }),
      predictor: async (model) => ({ engine: 'tfjs', probabilities: (images, count) => predictProbabilities(model, images, count), dispose: () => {} }),
    },
    sink: new MemorySink(),
    pictures: null,
    out: new Capture(),
    live: false,
    signal: options.signal ?? new AbortController().signal,
    threads: null,
    describe: options.describe ?? false,
    fits: [],
  };
}
