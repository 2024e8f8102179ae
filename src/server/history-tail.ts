// Follows a run's history.jsonl as it grows (even when another process writes it) and yields each new record.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHistoryLine } from '../run/parse.js';
import type { HistoryRecord } from '../run/schema.js';
import { openContained } from './contained-files.js';

export interface TailOptions {
  /** The run folder: the file is only read while it is a regular file inside it (see contained-files.ts). */
  root: string;
  /** Byte offset to start from (a client's Last-Event-ID); 0 = the whole file. */
  fromOffset?: number;
  /** How often to look for new lines, in ms. */
  pollMs?: number;
  signal: AbortSignal;
  /** Asked when no new data came: true ends the tail (the process writing the file is gone). */
  stopWhen?: () => boolean | Promise<boolean>;
}

export interface TailedRecord {
  record: HistoryRecord;
  /** Byte offset just after this record's line: where to resume. */
  offset: number;
}

/**
 * Why a tail ended: it yielded an "end" record; the stop condition held (after one last read, so lines
 * written just before the writer went are not lost); the file is shorter than the offset (a Last-Event-ID
 * past its end, or a file rewritten shorter); or the signal aborted.
 */
export type TailEnd = 'end-record' | 'stopped' | 'past-end' | 'aborted';

const NEWLINE = 0x0a;

/**
 * Yields every complete line of the file from `fromOffset` on, waiting for the file to appear and to grow,
 * and returns why it ended (see TailEnd). A torn last line waits for its newline; a line that is not a valid
 * record (run/schema.ts) is skipped.
 */
export async function* tailHistory(path: string, options: TailOptions): AsyncGenerator<TailedRecord, TailEnd> {
  const pollMs = options.pollMs ?? 200;
  let offset = options.fromOffset ?? 0;
  let stopping = false;
  for (;;) {
    if (options.signal.aborted) return 'aborted';
    const { chunk, size } = await readFrom(options.root, path, offset);
    if (size < offset) return 'past-end';
    let lineStart = 0;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, lineStart)) {
      const line = chunk.subarray(lineStart, i).toString('utf8');
      lineStart = i + 1;
      const record = parseLine(line, path);
      if (record === null) continue;
      yield { record, offset: offset + lineStart };
      if (record.type === 'end') return 'end-record';
    }
    offset += lineStart;
    if (stopping) return 'stopped';
    if (lineStart === 0 && (await options.stopWhen?.())) {
      stopping = true;
      continue;
    }
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
    } catch {
      return 'aborted';
    }
  }
}

/** The bytes from offset to the end, and the file's size (0 while it does not exist). */
async function readFrom(root: string, path: string, offset: number): Promise<{ chunk: Buffer; size: number }> {
  const handle = await openContained(root, path);
  if (handle === null) return { chunk: Buffer.alloc(0), size: 0 };
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { chunk: Buffer.alloc(0), size };
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return { chunk: buffer.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

/** A line as a checked record; null for a blank line or one that is not a valid record (it is skipped, not sent). */
function parseLine(line: string, path: string): HistoryRecord | null {
  if (line.trim() === '') return null;
  try {
    return parseHistoryLine(line, path);
  } catch {
    return null;
  }
}
