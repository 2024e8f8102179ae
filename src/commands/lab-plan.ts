// The lab command's plan: checked and recorded when a lab starts (lab-plan.json), read back and held to by `lab --resume`.
import { resolve } from 'node:path';
import { badArgument, LabError } from '../errors.js';
import { claimOutputFolder } from '../run/claim.js';
import { readLabPlan } from '../run/reader.js';
import type { LabPlan } from '../run/schema.js';
import { writeLabPlan } from '../run/writer.js';
import { stepFile } from '../runner/catalogue.js';

/** A new lab: checks every step name before anything trains, claims the lab folder, records the plan. */
export async function writePlan(plan: LabPlan, options: { cwd: string; out?: string; force: boolean }): Promise<string> {
  plan.steps.forEach((name) => stepFile(name));
  const labDir = resolve(options.cwd, options.out ?? `runs/lab-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`);
  await claimOutputFolder(labDir, { kind: 'lab', force: options.force, cwd: options.cwd, flag: '--out' });
  await writeLabPlan(labDir, plan);
  return labDir;
}

/**
 * The plan of a lab folder being resumed: its steps, seeds and flags are the ones it was started with, so any other
 * flag given with --resume (listed in `given`) is refused by name.
 */
export async function readPlan(resume: string, options: { cwd: string; given: readonly string[] }): Promise<{ labDir: string; plan: LabPlan }> {
  const labDir = resolve(options.cwd, resume);
  if (options.given.length > 0) {
    throw new LabError('BAD_ARGUMENT', `--resume continues the lab with the steps and flags it was started with; got also ${options.given.join(', ')}`, {
      hint: `run \`mnist-lab lab --resume ${resume}\` alone, or start a new lab with those flags`,
    });
  }
  const plan = await readLabPlan(labDir).catch((cause: unknown) => {
    if (cause instanceof LabError && cause.code === 'RUN_INCOMPLETE') {
      throw new LabError('RUN_INCOMPLETE', `--resume ${resume}: ${cause.message}`, { hint: cause.hint, cause });
    }
    throw cause;
  });
  if (plan.steps.length === 0) throw badArgument('lab-plan.json steps', 'at least one step', plan.steps);
  return { labDir, plan };
}
