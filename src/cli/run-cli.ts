// Runs the mnist-lab program on an argv with given streams and maps errors to exit codes (tests call it in-process).
import { CommanderError } from 'commander';
import { LabError } from '../errors.js';
import type { CommandIo } from '../commands/io.js';
import { extractHyperparameterFlags } from './flags.js';
import { buildProgram } from './program.js';

/** Runs the CLI on argv (without node and script) and resolves to the process exit code. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  let exitCode = 0;
  try {
    const { argv: rest, hp } = extractHyperparameterFlags(argv);
    const program = buildProgram(
      io,
      (code) => {
        exitCode = code;
      },
      hp,
    );
    await program.parseAsync(rest, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CommandIo): number {
  if (error instanceof CommanderError) {
    // commander has printed its own message; help and version are not errors.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof LabError) {
    io.stderr.write(`error [${error.code}]: ${error.describe()}\n`);
    return error.exitCode;
  }
  io.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
