// A run's checkpoints on disk: the model, the optimizer state and the loop state, enough to resume a run exactly.
import type * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OptimizerState } from '../engine/types.js';
import { LabError } from '../errors.js';
import { loadModel, saveModel } from '../models/io.js';
import { parseRunJson } from './parse.js';
import { LoopStateSchema, OptimizerMetaSchema, type LoopState } from './schema.js';
import type { Checkpoint } from './sink.js';

const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const STATE_JSON = 'state.json';
const NAME = /^epoch-\d+-step-\d+$/;

/** How many checkpoints a run keeps (each epoch writes one; older ones are pruned). */
export const KEEP_CHECKPOINTS = 3;

const checkpointName = (s: LoopState) => `epoch-${String(s.epoch).padStart(3, '0')}-step-${String(s.globalStep).padStart(7, '0')}`;

/** Writes a checkpoint folder atomically (a .tmp folder renamed into place) and prunes the oldest. */
export async function saveCheckpoint(checkpointsDir: string, model: tf.LayersModel, optimizer: OptimizerState, state: LoopState): Promise<string> {
  const final = join(checkpointsDir, checkpointName(state));
  const tmp = `${final}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveModel(model, join(tmp, 'model'));
  const bytes = new Uint8Array(optimizer.slots.reduce((n, s) => n + s.data.byteLength, 0));
  let offset = 0;
  for (const slot of optimizer.slots) {
    bytes.set(new Uint8Array(slot.data.buffer, slot.data.byteOffset, slot.data.byteLength), offset);
    offset += slot.data.byteLength;
  }
  const meta = { step: optimizer.step, slots: optimizer.slots.map((s) => ({ name: s.name, shape: s.shape })) };
  await writeFile(join(tmp, OPTIMIZER_BIN), bytes);
  await writeFile(join(tmp, OPTIMIZER_JSON), JSON.stringify(meta));
  await writeFile(join(tmp, STATE_JSON), JSON.stringify(state));
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  const names = await listCheckpoints(checkpointsDir);
  for (const name of names.slice(0, -KEEP_CHECKPOINTS)) await rm(join(checkpointsDir, name), { recursive: true, force: true });
  return final;
}

/** Loads the newest complete checkpoint of a run, or explains why there is none. */
export async function loadLatestCheckpoint(checkpointsDir: string): Promise<Checkpoint & { dir: string }> {
  const latest = (await listCheckpoints(checkpointsDir)).at(-1);
  if (!latest) {
    throw new LabError('RUN_INCOMPLETE', `no checkpoint to resume from in ${checkpointsDir}`, {
      hint: 'a run writes a checkpoint at each epoch end and on Ctrl-C; start a new run instead of --resume',
    });
  }
  const dir = join(checkpointsDir, latest);
  const metaPath = join(dir, OPTIMIZER_JSON);
  const meta = parseRunJson(OptimizerMetaSchema, await readFile(metaPath, 'utf8'), metaPath);
  const bin = await readFile(join(dir, OPTIMIZER_BIN));
  const expected = meta.slots.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  if (bin.byteLength !== expected * 4) {
    throw new LabError('BAD_RUN_FILE', `${join(dir, OPTIMIZER_BIN)} has ${bin.byteLength} bytes; ${metaPath} describes ${expected * 4}`, {
      hint: 'the checkpoint is damaged; delete that checkpoint folder to resume from the one before it',
    });
  }
  const floats = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  let offset = 0;
  const slots = meta.slots.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const data = floats.slice(offset, offset + size);
    offset += size;
    return { ...s, data };
  });
  const statePath = join(dir, STATE_JSON);
  const state = parseRunJson(LoopStateSchema, await readFile(statePath, 'utf8'), statePath);
  const model = await loadModel(join(dir, 'model'));
  const weights = model.getWeights().map((w) => w.clone());
  model.dispose();
  return { dir, weights, optimizer: { step: meta.step, slots }, state };
}

/** Whether a run has a checkpoint to resume from. */
export async function hasCheckpoint(checkpointsDir: string): Promise<boolean> {
  return (await listCheckpoints(checkpointsDir)).length > 0;
}

async function listCheckpoints(checkpointsDir: string): Promise<string[]> {
  const names = await readdir(checkpointsDir).catch(() => []);
  return names.filter((n) => NAME.test(n)).sort();
}
