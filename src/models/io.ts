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

/** A model folder's files as they are on disk: model.json and each weight file, by file name. */
export type ModelFiles = Map<string, Buffer>;

/** Bytes of one value of each weight dtype (a quantized weight takes its quantization dtype's). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Loads a model folder written by saveModel (or by TF.js's own savers with one weights file). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return (await loadModelFolder(dir)).model;
}

/**
 * Loads a model folder and keeps its files. Everything wrong inside the folder is a BAD_MODEL_FILE error
 * naming the file: model.json that does not parse, a weight path that leaves the folder, a weight file that
 * is missing or does not hold exactly the bytes the manifest's shapes and dtypes need (a truncated
 * weights.bin would otherwise fail deep in TF.js), or a topology TF.js cannot build.
 */
export async function loadModelFolder(dir: string): Promise<{ model: tf.LayersModel; files: ModelFiles }> {
  const jsonPath = join(dir, MODEL_JSON);
  const modelJson = await readFile(jsonPath).catch((cause: unknown) => {
    throw new LabError('MODEL_NOT_FOUND', `no readable TF.js model at ${jsonPath}`, {
      hint: 'pass a model folder (holding model.json) or a run folder written by `mnist-lab train`',
      cause,
    });
  });
  const json = parseModelJson(modelJson, jsonPath);
  const manifest = json.weightsManifest ?? [];
  const files: ModelFiles = new Map([[MODEL_JSON, modelJson]]);
  for (const path of manifest.flatMap((group) => group.paths)) {
    const name = weightFileName(path, jsonPath);
    files.set(name, await readFile(join(dir, name)).catch((cause: unknown) => {
      throw badModelFile(`${join(dir, name)}, a weight file ${jsonPath} names, cannot be read (${(cause as Error).message})`, cause);
    }));
  }
  const specs = manifest.flatMap((group) => group.weights);
  const weightBytes = [...files].filter(([name]) => name !== MODEL_JSON).map(([, bytes]) => bytes);
  const found = weightBytes.reduce((n, bytes) => n + bytes.length, 0);
  const needed = specs.reduce((n, spec) => n + weightByteLength(spec, jsonPath), 0);
  if (found !== needed) {
    const names = [...files.keys()].filter((name) => name !== MODEL_JSON).map((name) => join(dir, name)).join(' + ');
    throw badModelFile(`${names} holds ${found} bytes, but its model.json's weights need ${needed} (${specs.length} tensors)`);
  }
  try {
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData: concatBytes(weightBytes),
      }),
    );
    return { model, files };
  } catch (cause) {
    throw badModelFile(`${jsonPath}: TF.js cannot build this model (${(cause as Error).message.split('\n')[0]})`, cause);
  }
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function parseModelJson(bytes: Buffer, jsonPath: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw badModelFile(`${jsonPath} is not valid JSON (${(cause as Error).message})`, cause);
  }
  const manifest = (json as ModelJson | null)?.weightsManifest;
  const wellFormed =
    manifest === undefined ||
    (Array.isArray(manifest) &&
      manifest.every((group) => Array.isArray(group?.paths) && group.paths.every((p) => typeof p === 'string') && Array.isArray(group.weights)));
  if (typeof json !== 'object' || json === null || !wellFormed) {
    throw badModelFile(`${jsonPath} is not a TF.js layers model (weightsManifest must be a list of {paths, weights})`);
  }
  return json as ModelJson;
}

/** A weight path must name a file beside model.json ("weights.bin" or "./weights.bin"). */
function weightFileName(path: string, jsonPath: string): string {
  const name = path.startsWith('./') ? path.slice(2) : path;
  if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name) || name === MODEL_JSON) {
    throw badModelFile(`${jsonPath}: weight path ${JSON.stringify(path)} leaves the model folder`);
  }
  return name;
}

function weightByteLength(spec: tf.io.WeightsManifestEntry, jsonPath: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = DTYPE_BYTES[dtype];
  const shapeOk = Array.isArray(spec.shape) && spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (bytes === undefined || !shapeOk) {
    throw badModelFile(`${jsonPath}: weight ${JSON.stringify(spec.name)} has dtype ${JSON.stringify(dtype)} and shape ${JSON.stringify(spec.shape)}, which mnist-lab cannot read`);
  }
  return spec.shape.reduce((n, d) => n * d, 1) * bytes;
}

function badModelFile(message: string, cause?: unknown): LabError {
  return new LabError('BAD_MODEL_FILE', message, {
    hint: 'the model folder is damaged or incomplete (a copy cut short?); copy it again, or train the run again',
    cause,
  });
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
