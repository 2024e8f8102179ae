// Follows a run's history.jsonl as it grows (even when another process writes it) and yields each new record.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryRecord } from '../train/history.js';
import { openContained } from './contained-files.js';

export interface TailOptions {
  /** The run folder: the file is only read while it is a regular file inside it (see contained-files.ts). */
  root: string;
  /** Byte offset to start from (a client's Last-Event-ID); 0 = the whole file. */
  fromOffset?: number;
  /** How often to look for new lines, in ms. */
  pollMs?: number;
  signal: AbortSignal;
  /** Checked when no new data came: true ends the tail (e.g. the training process exited). */
  stopWhen?: () => boolean;
}

export interface TailedRecord {
  record: HistoryRecord;
  /** Byte offset just after this record's line: where to resume. */
  offset: number;
}

const NEWLINE = 0x0a;

/**
 * Yields every complete line of the file from `fromOffset` on, waiting for the file to appear and to grow,
 * until an "end" record, the stop condition or the abort signal. A torn last line waits for its newline;
 * a line that is not JSON is skipped.
 */
export async function* tailHistory(path: string, options: TailOptions): AsyncGenerator<TailedRecord> {
  const pollMs = options.pollMs ?? 200;
  let offset = options.fromOffset ?? 0;
  while (!options.signal.aborted) {
    const chunk = await readFrom(options.root, path, offset);
    let lineStart = 0;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, lineStart)) {
      const line = chunk.subarray(lineStart, i).toString('utf8');
      lineStart = i + 1;
      const record = parseLine(line);
      if (record === null) continue;
      yield { record, offset: offset + lineStart };
      if (record.type === 'end') return;
    }
    offset += lineStart;
    if (lineStart === 0 && options.stopWhen?.()) return;
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}

async function readFrom(root: string, path: string, offset: number): Promise<Buffer> {
  const handle = await openContained(root, path);
  if (handle === null) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function parseLine(line: string): HistoryRecord | null {
  if (line.trim() === '') return null;
  try {
    return JSON.parse(line) as HistoryRecord;
  } catch {
    return null;
  }
}
