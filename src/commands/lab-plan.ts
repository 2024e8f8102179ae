// lab-plan.json: what a lab was asked to train, written when it starts and read back by `lab --resume`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DatasetName } from '../data/types.js';
import { badArgument, LabError } from '../errors.js';
import { getPreset } from '../models/index.js';
import type { TrainOverrides } from '../train/config.js';
import type { LabOptions } from './lab.js';

/** lab-plan.json: what the lab was asked to train, so --resume continues the same lab. */
export interface LabPlan {
  presets: string[];
  overrides: TrainOverrides;
  dataset: DatasetName;
  dataDir?: string;
}

const PLAN_FILE = 'lab-plan.json';

/** A new lab: checks every preset name before anything trains, then records the plan in the lab folder. */
export async function writePlan(opts: LabOptions, cwd: string, ladder: readonly string[]): Promise<{ labDir: string; plan: LabPlan }> {
  const plan: LabPlan = {
    presets: opts.presets?.length ? opts.presets : [...ladder],
    overrides: opts.overrides ?? {},
    dataset: opts.dataset ?? 'mnist',
    dataDir: opts.dataDir,
  };
  plan.presets.forEach((n) => getPreset(n));
  const labDir = resolve(cwd, opts.out ?? `runs/lab-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`);
  await mkdir(labDir, { recursive: true });
  await writeFile(join(labDir, PLAN_FILE), `${JSON.stringify(plan, null, 2)}\n`);
  return { labDir, plan };
}

/** The plan of a lab folder being resumed; its presets and flags are the ones it was started with. */
export async function readPlan(opts: LabOptions, cwd: string): Promise<{ labDir: string; plan: LabPlan }> {
  const labDir = resolve(cwd, opts.resume as string);
  const trainingFlags = Object.entries(opts.overrides ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k]) => (k === 'pictures' ? '--no-pictures' : `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
  const extra = [
    ...(opts.presets?.length ? ['--presets'] : []),
    ...(opts.out ? ['--out'] : []),
    ...(opts.dataDir ? ['--data-dir'] : []),
    ...trainingFlags,
  ];
  if (extra.length > 0) {
    throw new LabError('BAD_ARGUMENT', `--resume continues the lab with the presets and flags it was started with; got also ${extra.join(', ')}`, {
      hint: `run \`mnist-lab lab --resume ${opts.resume}\` alone, or start a new lab with those flags`,
    });
  }
  let plan: LabPlan;
  try {
    plan = JSON.parse(await readFile(join(labDir, PLAN_FILE), 'utf8')) as LabPlan;
  } catch (cause) {
    throw new LabError('RUN_INCOMPLETE', `--resume ${opts.resume}: no readable ${PLAN_FILE} in ${labDir}`, {
      hint: 'pass a folder written by `mnist-lab lab` (runs/lab-<time>)',
      cause,
    });
  }
  if (opts.dataset !== undefined && opts.dataset !== plan.dataset) {
    throw badArgument('--dataset', `the lab's own dataset (${plan.dataset}) when resuming`, opts.dataset);
  }
  return { labDir, plan };
}

