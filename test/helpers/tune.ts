// Shared bits of the tuner tests: a captured CommandIo, the fake trial program and study-file writing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CommandIo } from '../../src/commands/io.js';

export const FAKE_TRIAL = [process.execPath, fileURLToPath(new URL('../tune/fixtures/fake-trial.mjs', import.meta.url))];

export interface CapturedIo extends CommandIo {
  out: () => string;
  err: () => string;
}

/** A CommandIo whose streams are kept in memory; `onErr` sees each line the command logs. */
export function captureIo(cwd: string, signal?: AbortSignal, onErr?: (line: string) => void): CapturedIo {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    cwd,
    env: {},
    signal,
    stdout: sink((t) => (out += t)),
    stderr: sink((t) => {
      err += t;
      for (const line of t.split('\n').filter(Boolean)) onErr?.(line);
    }),
    out: () => out,
    err: () => err,
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** Writes a study file into `dir` and returns its path. */
export function writeStudy(dir: string, lines: string[], name = 'study.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
