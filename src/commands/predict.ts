// `mnist-lab predict`: classes and probabilities for a PNG, an IDX file or digits.json-style JSON.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { initBackend } from '../engine/backend.js';
import { LabError } from '../errors.js';
import { loadModel } from '../models/io.js';
import { readPredictionInput } from '../predict/inputs.js';
import { toPredictions } from '../predict/predict.js';
import { choosePredictor } from '../engine/front-door.js';
import { printJson, type CommandIo } from './io.js';
import { resolveModelDir } from './model-dir.js';

export interface PredictOptions {
  modelPath: string;
  input: string;
  json?: boolean;
  backend?: 'auto' | 'native' | 'wasm' | 'cpu';
}

/** The stable --json shape: the AI Platform response, one prediction per instance. */
export interface PredictOutput {
  predictions: { classes: number; probabilities: number[] }[];
}

export async function predictCommand(opts: PredictOptions, io: CommandIo): Promise<PredictOutput> {
  const { modelDir } = resolveModelDir(io.cwd, opts.modelPath);
  const inputPath = resolve(io.cwd, opts.input);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(inputPath);
  } catch (cause) {
    throw new LabError('BAD_INPUT', `cannot read the input ${inputPath}`, { hint: 'pass an existing PNG, IDX or JSON file', cause });
  }
  const input = await readPredictionInput(opts.input, bytes);
  await initBackend({ backend: opts.backend ?? 'auto' });
  const model = await loadModel(modelDir);
  const predictor = await choosePredictor(model);
  const { classes, probabilities } = toPredictions(predictor.probabilities(input.images, input.count), input.count);
  predictor.dispose();
  model.dispose();
  const output: PredictOutput = { predictions: classes.map((c, i) => ({ classes: c, probabilities: probabilities[i] })) };
  if (opts.json) {
    printJson(io, output);
  } else {
    if (input.note) io.stderr.write(`note: ${input.note}\n`);
    output.predictions.forEach((p, i) => {
      io.stdout.write(`${String(i).padStart(4)}: ${p.classes}  (p=${p.probabilities[p.classes].toFixed(3)})\n`);
    });
  }
  return output;
}
