// Parses run-folder file text against its schema; a failure is a BAD_RUN_FILE error naming the file, line and field.
import type { z } from 'zod';
import { LabError } from '../errors.js';
import { HistoryRecordSchema, type HistoryRecord } from './schema.js';

const REPAIR_HINT = 'the file is damaged, was cut short or comes from another program; train the run again or restore the file';

/** The first problem zod found, as "field: message (got value)". */
function firstIssue(error: z.ZodError, value: unknown): string {
  const issue = error.issues[0];
  const path = issue.path.map(String).join('.') || '(the whole value)';
  let received: unknown = value;
  for (const key of issue.path) received = received !== null && typeof received === 'object' ? (received as Record<PropertyKey, unknown>)[key] : undefined;
  return `${path}: ${issue.message.toLowerCase()} (got ${JSON.stringify(received)?.slice(0, 80) ?? 'nothing'})`;
}

/** Checks an already-parsed value against a schema. */
export function checkRunValue<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new LabError('BAD_RUN_FILE', `${source}: ${firstIssue(parsed.error, value)}`, { hint: REPAIR_HINT });
}

/** Parses JSON text and checks it against a schema. */
export function parseRunJson<S extends z.ZodType>(schema: S, text: string, source: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new LabError('BAD_RUN_FILE', `${source} is not valid JSON (${(cause as Error).message})`, { hint: REPAIR_HINT, cause });
  }
  return checkRunValue(schema, value, source);
}

/**
 * Parses history.jsonl text. A last line without its newline may still be being written and is skipped; any
 * other line that is not a valid record is an error naming the line.
 */
export function parseHistory(text: string, source = 'history.jsonl'): HistoryRecord[] {
  const lines = text.split('\n');
  const complete = lines.slice(0, -1);
  const torn = lines.at(-1);
  const records = complete.flatMap((line, i) => (line.trim() ? [parseHistoryLine(line, `${source} line ${i + 1}`)] : []));
  if (torn && torn.trim()) {
    try {
      records.push(parseHistoryLine(torn, source));
    } catch {
      // the record being written right now
    }
  }
  return records;
}

/** One line of history.jsonl checked against the record schemas. */
export function parseHistoryLine(line: string, source: string): HistoryRecord {
  return parseRunJson(HistoryRecordSchema, line, source) as HistoryRecord;
}
