// The Node side of a lab session: data from IDX files with a prefetching worker, and the engine's front door.
import type * as tf from '@tensorflow/tfjs';
import { DATASETS } from '../data/datasets.js';
import { loadDataset } from '../data/load.js';
import { Prefetcher } from '../data/prefetch.js';
import type { DatasetName } from '../data/types.js';
import { choosePredictor, chooseTrainer } from '../engine/front-door.js';
import type { Overrides } from '../run/schema.js';
import { digitCounts, type DataSource, type EngineProvider, type LoadedDigits } from '../train/session.js';

/** Digits from the four IDX files of a data folder, loaded once; training batches come from a worker thread. */
export function fileDataSource(options: { dir: string; dataset: DatasetName; overrides: Overrides }): DataSource {
  const { dir, dataset, overrides } = options;
  let loaded: Promise<LoadedDigits> | undefined;
  return {
    counts: digitCounts(overrides),
    load() {
      loaded ??= loadDataset({ dir, dataset, limit: overrides.limit ?? undefined, testLimit: overrides.valLimit ?? undefined }).then((d) => ({
        name: d.name,
        train: d.train,
        test: d.test,
        classNames: DATASETS[dataset].classNames,
      }));
      return loaded;
    },
    stream: (set, batchOptions, state) => new Prefetcher(set, batchOptions, { state: state as never }),
  };
}

/** The Node engine: the front door (the native compiled step when it can, TF.js otherwise). */
export const nodeEngine: EngineProvider = {
  trainer: (model, spec) => chooseTrainer(model, spec),
  predictor: (model: tf.LayersModel) => choosePredictor(model),
};
