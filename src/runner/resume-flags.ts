// --resume continues a run as it was: flags that would change it are refused by name; the few that cannot are applied.
import { LabError } from '../errors.js';
import type { RunConfig } from '../run/schema.js';
import type { Progress } from '../train/progress.js';
import type { RunRequest } from './run-request.js';

/** Flags that do not change what the run computes, applied when resuming. */
const ACCEPTED = new Set(['--resume', '--epochs', '--data-dir', '--threads', '--no-pictures', '--json']);

/**
 * The config a resumed run continues with. --epochs (train longer), --data-dir (the data moved), --threads and
 * --no-pictures are applied and said; anything else that was typed (the step, --lr, --batch-size, --seed, --steps,
 * --limit, --dataset, --backend, --hp-*, --out, …) would change the run, and is refused by name.
 */
export function refuseResumeChanges(stored: RunConfig, request: RunRequest, progress: Progress): RunConfig {
  const given = request.given ?? [];
  const changing = given.filter((flag) => !ACCEPTED.has(flag) && !(flag === 'step' && request.step === stored.step.name));
  if (changing.length > 0) {
    throw new LabError('BAD_ARGUMENT', `--resume continues the run as it was started; ${changing.map((f) => (f === 'step' ? `the step argument ${JSON.stringify(request.step)}` : f)).join(', ')} would change it`, {
      hint: `resume with \`--resume ${request.resume}\` alone (--epochs, --data-dir, --threads and --no-pictures are allowed), or start a new run with those flags`,
    });
  }
  const config: RunConfig = { ...stored, overrides: { ...stored.overrides } };
  if (given.includes('--epochs') && request.overrides?.epochs != null) {
    config.overrides.epochs = request.overrides.epochs;
    progress.line(`--resume: training continues to ${request.overrides.epochs} epochs`);
  }
  if (given.includes('--data-dir') && request.dataDir !== undefined) {
    config.dataDir = request.dataDir;
    progress.line(`--resume: reading the data from ${request.dataDir} (the files are checked as before)`);
  }
  if (given.includes('--threads') && request.threads !== undefined) {
    config.threads = request.threads;
    progress.line(`--resume: ${request.threads} native engine threads`);
  }
  if (given.includes('--no-pictures')) config.pictures = false;
  return config;
}
