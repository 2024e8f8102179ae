// The command line of one trial: which program trains (configurable) and the `train` flags built from the study and a trial's values.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.js';
import type { Assignment, Study } from './study.js';

/** Environment variable that overrides the training program, e.g. "node /opt/mnist-lab/bin/mnist-lab.js". */
export const TRIAL_COMMAND_ENV = 'MNIST_LAB_TRIAL_COMMAND';

/** Parses a command given as a JSON array of strings or as words separated by spaces. */
export function parseCommand(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === 'string')) return parsed;
    throw new LabError('BAD_ARGUMENT', `${TRIAL_COMMAND_ENV} must be a non-empty JSON array of strings; got ${trimmed}`);
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new LabError('BAD_ARGUMENT', `${TRIAL_COMMAND_ENV} must name a program; got ""`);
  return words;
}

/**
 * The program that runs `train` for a trial: $MNIST_LAB_TRIAL_COMMAND if set; from the source tree
 * `node --import tsx src/cli/main.ts`; from a build, `node bin/mnist-lab.js`.
 */
export function defaultTrialCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = env[TRIAL_COMMAND_ENV];
  if (configured) return parseCommand(configured);
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const repo = join(dirname(here), '..', '..');
    return [process.execPath, '--import', import.meta.resolve('tsx'), join(repo, 'src', 'cli', 'main.ts')];
  }
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'mnist-lab.js');
    if (existsSync(bin)) return [process.execPath, bin];
  }
  throw new LabError('BAD_ARGUMENT', 'cannot find bin/mnist-lab.js above the tuner module', {
    hint: `set ${TRIAL_COMMAND_ENV} to the command that runs mnist-lab, e.g. "node /path/to/bin/mnist-lab.js"`,
  });
}

/** A flag map as command-line words: { steps: 5, json-log: true } → ["--steps", "5", "--json-log"]; false drops the flag. */
export function flagWords(flags: Record<string, number | string | boolean>): string[] {
  return Object.entries(flags).flatMap(([name, value]) => {
    if (value === false) return [];
    if (value === true) return [`--${name}`];
    return [`--${name}`, String(value)];
  });
}

/** The `train` arguments of a trial, without its output folder: the preset, the study's fixed args, then the trial's values. */
export function trainArgs(study: Pick<Study, 'preset' | 'args'>, params: Assignment): string[] {
  return ['train', study.preset, ...flagWords(study.args), ...flagWords(params)];
}
