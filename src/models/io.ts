// Saves and loads TF.js Layers models as model.json + weights.bin folders, with plain Node fs (no tfjs-node).
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
// Registers our BatchNormalization under Keras's class name, so loaded BN models train with scale: false too.
import './layers/batch-norm.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** Writes the model in the TF.js layers format; files land atomically (write to .tmp, then rename). */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const bytes = weightData === undefined ? new Uint8Array(0) : toBytes(weightData);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: 'mnist-lab',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeAtomic(join(dir, WEIGHTS_BIN), bytes);
      await writeAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Loads a model folder written by saveModel (or by TF.js's own savers with one weights file). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON);
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (cause) {
    throw new LabError('MODEL_NOT_FOUND', `no readable TF.js model at ${jsonPath}`, {
      hint: 'pass a model folder (holding model.json) or a run folder written by `mnist-lab train`',
      cause,
    });
  }
  const manifest = json.weightsManifest ?? [];
  const specs = manifest.flatMap((group) => group.weights);
  const buffers = await Promise.all(
    manifest.flatMap((group) => group.paths).map((p) => readFile(join(dir, p))),
  );
  const weightData = concatBytes(buffers);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: specs,
      weightData,
    }),
  );
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

function toBytes(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  return new Uint8Array(Array.isArray(data) ? concatBytes(data.map((b) => new Uint8Array(b))) : data);
}

function concatBytes(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}
