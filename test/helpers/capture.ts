// A CommandIo whose stdout and stderr are captured as strings, for running CLI commands in-process.
import { Writable } from 'node:stream';
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
