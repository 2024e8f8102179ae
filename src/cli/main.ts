// Entry point of the mnist-lab command: the process's streams, Ctrl-C handling and exit code.
import { runCli } from './run-cli.js';

/**
 * Ctrl-C once: the command stops cleanly (a training finishes its batch, checkpoints and says so; a worker hands back
 * its trial). Twice: exit now.
 */
function interruptController(): AbortController {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nCtrl-C: stopping cleanly (Ctrl-C again to quit now)…\n');
    controller.abort();
  });
  return controller;
}

// A closed pipe (`mnist-lab models | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const controller = interruptController();
process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
