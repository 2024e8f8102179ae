// Following history.jsonl: every record sent is one the run folder's schema accepts; other lines are skipped.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../src/run/schema.js';
import { tailHistory } from '../../src/server/history-tail.js';

describe('tailHistory', () => {
  it('yields only valid records: damaged lines, wrong types and blank lines are skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mnist-lab-tail-'));
    const path = join(root, 'history.jsonl');
    const batch: HistoryRecord = { type: 'batch', epoch: 0, step: 0, globalStep: 0, loss: 2.2, accuracy: 0.1, lr: 0.01 };
    const end: HistoryRecord = { type: 'end', time: '2026-12-07T00:00:00.000Z', status: 'completed' };
    const lines = [
      JSON.stringify(batch),
      '{"type":"batch","epoch":0,"step":1,"globalStep":1,"loss":"low","accuracy":0.2,"lr":0.01}',
      '{"type":"magic"}',
      'not json',
      '',
      JSON.stringify(end),
    ];
    await writeFile(path, `${lines.join('\n')}\n`);
    const seen: HistoryRecord[] = [];
    const tail = tailHistory(path, { root, signal: new AbortController().signal, pollMs: 10 });
    let next = await tail.next();
    for (; !next.done; next = await tail.next()) seen.push(next.value.record);
    expect(seen).toEqual([batch, end]);
    expect(next.value).toBe('end-record');
  });
});
