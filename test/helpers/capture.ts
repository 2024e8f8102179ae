// A CommandIo whose stdout and stderr are captured as strings, and the CLI run in-process with one.
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { CommandIo } from '../../src/commands/io.js';

export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export function captureIo(cwd: string, env: Record<string, string | undefined> = {}, signal?: AbortSignal) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CommandIo = { cwd, env, stdout, stderr, signal };
  return { io, stdout, stderr };
}

/** Runs the CLI in-process in `cwd`: its exit code and what it wrote to stdout and stderr. */
export async function runCaptured(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const { io, stdout, stderr } = captureIo(cwd, env);
  const code = await runCli(args, io);
  return { code, out: stdout.text, err: stderr.text };
}
