// What every command function gets instead of process globals, so tests can run commands in-process.
import type { Writable } from 'node:stream';
import type { Env } from '../data/locate.js';

export interface CommandIo {
  cwd: string;
  env: Env;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** Writes one line of JSON (the stable machine-readable output of --json). */
export function printJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Pads cells into aligned columns; the first row is the header. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
