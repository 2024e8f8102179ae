// `mnist-lab train`: runs train() and prints the outcome as Keras would, or as one JSON line with --json.
import type { EpochRecord } from '../train/history.js';
import { train, type TrainOutcome, type TrainRequest } from '../train/run.js';
import { printJson, type CommandIo } from './io.js';

export interface TrainCommandOptions extends TrainRequest {
  json?: boolean;
  onEpochEnd?: (runDir: string, record: EpochRecord) => Promise<void>;
}

export async function trainCommand(opts: TrainCommandOptions, io: CommandIo): Promise<TrainOutcome> {
  const log = opts.json ? io.stderr : io.stdout;
  const outcome = await train(opts, { cwd: io.cwd, env: io.env, log, signal: io.signal, onEpochEnd: opts.onEpochEnd });
  const m = outcome.metrics;
  if (opts.json) {
    printJson(io, m ?? { status: outcome.status, runDir: outcome.runDir });
  } else if (m) {
    const set = outcome.testCount === 10_000 ? 'the 10k test set' : `the first ${outcome.testCount.toLocaleString('en-US')} test digits`;
    log.write(
      `\nTest accuracy ${(m.test_accuracy * 100).toFixed(2)}% (${m.errors} errors out of ${set}), ` +
        `loss ${m.test_loss.toFixed(4)}, ${m.seconds}s at ${m.images_per_second} images/s on ${m.backend}.\n` +
        `Run folder: ${outcome.runDir}\n`,
    );
  }
  return outcome;
}
