// The models a server serves: loaded once at start, each with its files kept in memory and its own batcher.
import type * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { badArgument, LabError } from '../errors.js';
import { loadModelFolder, type ModelFiles } from '../models/io.js';
import { toPredictions } from '../predict/predict.js';
import { choosePredictor } from '../engine/front-door.js';
import type { Predictor } from '../engine/types.js';
import { PredictionBatcher, type BatcherOptions } from './batcher.js';

export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ServedModel {
  name: string;
  dir: string;
  model: tf.LayersModel;
  /** model.json and its weight files by file name, served to the browser from memory. */
  files: ModelFiles;
  batcher: PredictionBatcher;
  /** The model's inference engine (native compiled when it can); disposed with the model. */
  predictor: Predictor;
}

/** Most models one server holds (those given at start plus runs loaded from the dashboard). */
export const MAX_SERVED_MODELS = 16;

/** Loads every model folder; a bad name or folder fails the start with an error naming it. */
export async function loadServedModels(
  models: Record<string, string>,
  batcher: BatcherOptions,
): Promise<Map<string, ServedModel>> {
  const served = new Map<string, ServedModel>();
  for (const [name, dir] of Object.entries(models)) served.set(name, await loadServedModel(name, dir, batcher));
  return served;
}

/** One model folder, ready to serve: weights loaded, files in memory, predictor and batcher made. */
export async function loadServedModel(name: string, dir: string, batcher: BatcherOptions): Promise<ServedModel> {
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw badArgument(`model name ${JSON.stringify(name)}`, 'letters, digits, ".", "_" or "-" (at most 64)', name);
  }
  const { model, files } = await loadModelFolder(dir);
  const predictor = await choosePredictor(model, batcher.maxBatch);
  const predict = (images: Float32Array, count: number) => toPredictions(predictor.probabilities(images, count), count);
  return { name, dir, model, files, predictor, batcher: new PredictionBatcher(predict, batcher) };
}

/**
 * Adds models while the server runs (a run the dashboard wants to draw with): loading one name twice at
 * once loads it once, and the total stays at MAX_SERVED_MODELS.
 */
export class ModelLoader {
  private readonly loading = new Map<string, Promise<ServedModel>>();

  constructor(
    private readonly models: Map<string, ServedModel>,
    private readonly batcher: BatcherOptions,
    private readonly limit = MAX_SERVED_MODELS,
  ) {}

  async serve(name: string, dir: string): Promise<ServedModel> {
    const ready = this.models.get(name);
    if (ready && resolve(ready.dir) !== resolve(dir)) {
      throw new LabError('BAD_INPUT', `the name ${name} already serves another model (${ready.dir})`, {
        hint: 'GET /v1/models lists what is served; start the server with a different --model or --run',
      });
    }
    if (ready) return ready;
    const pending = this.loading.get(name);
    if (pending) return pending;
    if (this.models.size + this.loading.size >= this.limit) {
      throw new LabError('BAD_INPUT', `this server already serves ${this.models.size} models, the most it holds`, {
        hint: 'restart the server to serve other runs',
      });
    }
    const load = loadServedModel(name, dir, this.batcher).then((served) => {
      this.models.set(name, served);
      return served;
    });
    this.loading.set(name, load);
    try {
      return await load;
    } finally {
      this.loading.delete(name);
    }
  }
}

/** The served model of that name, or a 404 error listing the ones there are. */
export function findModel(models: Map<string, ServedModel>, name: string): ServedModel {
  const model = models.get(name);
  if (model === undefined) {
    const known = [...models.keys()];
    throw new LabError('MODEL_NOT_FOUND', `no model named ${JSON.stringify(name.slice(0, 64))} is served`, {
      hint: known.length ? `served models: ${known.join(', ')}` : 'start the server with --model DIR or --run DIR',
    });
  }
  return model;
}
