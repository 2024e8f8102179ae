// A trained model kept in this browser (TF.js's IndexedDB store and our record of it), given back as files, or forgotten.
import * as tf from '@tensorflow/tfjs';
import type { HistoryRecord } from '../../../../src/run/schema.js';
import { fitMetrics, type LabOutcome } from '../../../../src/train/session.js';
import { forgetModelRecord, keepModelRecord, modelUrl, type KeptModel } from '../model-store.js';
import type { RunRequest } from '../protocol.js';

/** `YYYYMMDD-HHMMSS-mmm` of now, in UTC: the model ids sort by time. */
const stamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');

/** Saves the run's model (weights and topology) and its record: step, code, metrics and history. */
export async function keepModel(outcome: LabOutcome, request: RunRequest, history: readonly HistoryRecord[]): Promise<KeptModel> {
  const { fit } = outcome;
  const id = `${request.step}-${stamp()}`;
  await fit.model.save(modelUrl(id));
  const kept: KeptModel = {
    id,
    step: request.step,
    title: request.title,
    source: request.typescript,
    edited: request.edited,
    dataset: request.dataset,
    status: outcome.status === 'completed' ? 'completed' : 'stopped',
    time: new Date().toISOString(),
    params: fit.model.countParams(),
    engine: fit.engine,
    metrics: fit.last === null ? null : fitMetrics(request.step, request.dataset, fit),
    history: [...history],
  };
  await keepModelRecord(kept);
  return kept;
}

/** The model in TF.js's format, as `tf.io.browserDownloads` writes it: `<id>.json` and `<id>.weights.bin`. */
export async function modelFiles(id: string): Promise<{ name: string; bytes: ArrayBuffer }[]> {
  const [handler] = tf.io.getLoadHandlers(modelUrl(id));
  if (handler?.load === undefined) throw new Error(`no TF.js model is kept at ${modelUrl(id)}`);
  const artifacts = await handler.load();
  const weights = `${id}.weights.bin`;
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    trainingConfig: artifacts.trainingConfig,
    weightsManifest: [{ paths: [`./${weights}`], weights: artifacts.weightSpecs ?? [] }],
  };
  const text = new TextEncoder().encode(JSON.stringify(json));
  return [
    { name: `${id}.json`, bytes: text.buffer as ArrayBuffer },
    { name: weights, bytes: tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []) },
  ];
}

export async function forgetModel(id: string): Promise<void> {
  await tf.io.removeModel(modelUrl(id));
  await forgetModelRecord(id);
}
