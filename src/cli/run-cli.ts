// Runs the mnist-lab program on an argv with given streams and maps errors to exit codes (tests call it in-process).
import { CommanderError, type Command } from 'commander';
import { LabError } from '../errors.js';
import type { CommandIo } from '../commands/io.js';
import { extractHyperparameterFlags } from './flags.js';
import { buildProgram } from './program.js';

/** Runs the CLI on argv (without node and script) and resolves to the process exit code. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  let exitCode = 0;
  let parsed: ReturnType<typeof extractHyperparameterFlags>;
  try {
    parsed = extractHyperparameterFlags(argv);
  } catch (error) {
    return reportError(error, io);
  }
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    parsed.hp,
  );
  try {
    await program.parseAsync(parsed.argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; help shown for a missing command explains itself.
      if (error.exitCode === 0) return 0;
      if (error.code === 'commander.help') return 2;
      return reportError(parserError(error, commandPath(program, parsed.argv)), io);
    }
    return reportError(error, io);
  }
}

/** The (sub)commands named at the start of argv, e.g. [mnist-lab, data, sample]. */
function commandPath(program: Command, argv: string[]): Command[] {
  const path = [program];
  for (const word of argv) {
    const sub = path.at(-1)!.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    path.push(sub);
  }
  return path;
}

/** One of commander's own errors (unknown option or command, missing argument, bad choice…) as a BAD_ARGUMENT. */
function parserError(error: CommanderError, path: Command[]): LabError {
  const [message, ...more] = error.message.replace(/^error: /, '').split('\n');
  const suggestion = /\(Did you mean (.+)\?\)/.exec(more.join(' '))?.[1];
  const what = error.code === 'commander.unknownCommand' ? 'commands' : 'flags';
  const help = `see \`${path.map((c) => c.name()).join(' ')} --help\` for its ${what}`;
  return new LabError('BAD_ARGUMENT', message, { hint: suggestion ? `did you mean ${suggestion}? ${help}` : help });
}

function reportError(error: unknown, io: CommandIo): number {
  if (error instanceof LabError) {
    io.stderr.write(`error [${error.code}]: ${error.describe()}\n`);
    return error.exitCode;
  }
  io.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
