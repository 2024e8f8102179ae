// Checkpoints: the model, the optimizer state and the loop state, enough to resume a run exactly.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { loadModel, saveModel } from '../models/io.js';
import type { RngState } from '../util/rng.js';
import type { OptimizerState } from './trainer.js';

/** Where the loop stands: the next step to run and everything random or accumulated so far. */
export interface LoopState {
  /** 0-based epoch (evaluation period) the next step belongs to. */
  epoch: number;
  /** Steps of that epoch already done. */
  stepInEpoch: number;
  globalStep: number;
  rng: RngState;
  batcher: unknown;
  /** Running sums of the current epoch's training loss and accuracy. */
  sums: { loss: number; accuracy: number; steps: number };
  /** Training seconds so far (wall time across sessions). */
  seconds: number;
}

const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const STATE_JSON = 'state.json';

const checkpointName = (s: LoopState) =>
  `epoch-${String(s.epoch).padStart(3, '0')}-step-${String(s.globalStep).padStart(7, '0')}`;

/** How many checkpoints a run keeps (each epoch writes one; older ones are pruned). */
export const KEEP_CHECKPOINTS = 3;

/** Writes a checkpoint folder atomically (a .tmp folder renamed into place) and prunes the oldest. */
export async function saveCheckpoint(
  checkpointsDir: string,
  model: tf.LayersModel,
  optimizer: OptimizerState,
  state: LoopState,
): Promise<string> {
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
  await pruneOlder(checkpointsDir);
  return final;
}

export interface LoadedCheckpoint {
  dir: string;
  model: tf.LayersModel;
  optimizer: OptimizerState;
  state: LoopState;
}

/** Loads the newest complete checkpoint of a run, or explains why there is none. */
export async function loadLatestCheckpoint(checkpointsDir: string): Promise<LoadedCheckpoint> {
  const names = await listCheckpoints(checkpointsDir);
  const latest = names.at(-1);
  if (!latest) {
    throw new LabError('RUN_INCOMPLETE', `no checkpoint to resume from in ${checkpointsDir}`, {
      hint: 'a run writes a checkpoint at each epoch end and on Ctrl-C; start a new run instead of --resume',
    });
  }
  const dir = join(checkpointsDir, latest);
  const meta = JSON.parse(await readFile(join(dir, OPTIMIZER_JSON), 'utf8')) as {
    step: number;
    slots: { name: string; shape: number[] }[];
  };
  const bin = await readFile(join(dir, OPTIMIZER_BIN));
  const floats = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  let offset = 0;
  const slots = meta.slots.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const data = floats.slice(offset, offset + size);
    offset += size;
    return { ...s, data };
  });
  const state = JSON.parse(await readFile(join(dir, STATE_JSON), 'utf8')) as LoopState;
  return { dir, model: await loadModel(join(dir, 'model')), optimizer: { step: meta.step, slots }, state };
}

/** Whether a run has a checkpoint to resume from. */
export async function hasCheckpoint(checkpointsDir: string): Promise<boolean> {
  return (await listCheckpoints(checkpointsDir)).length > 0;
}

async function listCheckpoints(checkpointsDir: string): Promise<string[]> {
  try {
    return (await readdir(checkpointsDir)).filter((n) => /^epoch-\d+-step-\d+$/.test(n)).sort();
  } catch {
    return [];
  }
}

async function pruneOlder(checkpointsDir: string): Promise<void> {
  const names = await listCheckpoints(checkpointsDir);
  for (const name of names.slice(0, -KEEP_CHECKPOINTS)) {
    await rm(join(checkpointsDir, name), { recursive: true, force: true });
  }
}
