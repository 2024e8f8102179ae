// The child process of `mnist-lab speedrun`: one seed of a lab file against the clock, each event a JSON line on stdout.
import type { SpeedrunMessage } from './speedrun.js';

/** Pipes to a parent are written synchronously on Linux, so a line is out when write() returns. */
const send = (message: SpeedrunMessage): void => void process.stdout.write(`${JSON.stringify(message)}\n`);

try {
  // Imported here, after the process has started its clock: start-up is part of what the parent times.
  const { runTimed } = await import('../runner/timed-run.js');
  await runTimed(JSON.parse(process.argv[2] ?? '{}'), { cwd: process.cwd(), env: process.env }, {
    onStart: () => send({ type: 'start' }),
    onEvaluation: (evaluation) => send({ type: 'evaluation', ...evaluation }),
  });
  send({ type: 'end' });
  process.exit(0);
} catch (error) {
  const { LabError } = await import('../errors.js');
  const known = error instanceof LabError ? { code: error.code, hint: error.hint, exitCode: error.exitCode } : { exitCode: 1 };
  send({ type: 'error', message: error instanceof Error ? error.message : String(error), ...known });
  process.exit(known.exitCode);
}
