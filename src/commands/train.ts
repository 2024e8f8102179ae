// `mnist-lab train <step>` and `mnist-lab run <file>`: runs a lab file and prints the outcome, or one JSON line.
import { runStep, type RunOutcome, type RunRequest } from '../runner/run-step.js';
import { printJson, type CommandIo } from './io.js';

export interface TrainCommandOptions extends RunRequest {
  json?: boolean;
}

export async function trainCommand(opts: TrainCommandOptions, io: CommandIo): Promise<RunOutcome> {
  const log = opts.json ? io.stderr : io.stdout;
  const outcome = await runStep(opts, { cwd: io.cwd, env: io.env, log, signal: io.signal });
  const m = outcome.metrics;
  if (opts.json) {
    printJson(io, m ?? { status: outcome.status, runDir: outcome.runDir });
  } else if (m) {
    const set = m.test_count === 10_000 ? 'the 10k test set' : `the first ${m.test_count.toLocaleString('en-US')} test digits`;
    log.write(
      `\nTest accuracy ${(m.test_accuracy * 100).toFixed(2)}% (${m.errors} errors out of ${set}), ` +
        `loss ${m.test_loss.toFixed(4)}, ${m.seconds}s at ${m.images_per_second} images/s on ${m.engine}.\n` +
        `Run folder: ${outcome.runDir}\n`,
    );
  }
  return outcome;
}
