// `mnist-lab models` and `mnist-lab summary`: the ladder with parameter counts, expectations and lessons.
import { initBackend } from '../engine/backend.js';
import { getPreset, listPresets } from '../models/index.js';
import type { Preset } from '../models/preset.js';
import { formatSummary, summarize } from '../models/summary.js';
import { formatTable, printJson, type CommandIo } from './io.js';

/** The stable --json shape of one preset. */
export function describePreset(p: Preset) {
  return {
    name: p.name,
    title: p.title,
    params: p.params,
    optimizer: p.optimizer,
    schedule: p.scheduleText,
    batchSize: p.batchSize,
    epochs: p.epochs,
    expectedAccuracy: p.expected.accuracy,
    codelabClaim: p.expected.claim,
    choices: p.choices,
    explain: p.explain,
  };
}

export function modelsCommand(opts: { json?: boolean; explain?: boolean }, io: CommandIo): void {
  const presets = listPresets();
  if (opts.json) {
    printJson(io, presets.map(describePreset));
    return;
  }
  const rows = [
    ['preset', 'title', 'params', 'optimizer', 'lr schedule', 'batch', 'epochs', 'expect'],
    ...presets.map((p) => [
      p.name,
      p.title,
      p.params.total.toLocaleString('en-US'),
      `${p.optimizer.kind} ${p.optimizer.lr}`,
      p.scheduleText ?? 'constant',
      String(p.batchSize),
      String(p.epochs),
      `≥ ${p.expected.accuracy}`,
    ]),
  ];
  io.stdout.write(`${formatTable(rows)}\n`);
  if (opts.explain) {
    for (const p of presets) {
      io.stdout.write(`\n${p.name}: ${p.title}\n  ${p.explain}\n  codelab: ${p.expected.claim}\n`);
      for (const choice of p.choices) io.stdout.write(`  choice: ${choice}\n`);
    }
  }
}

export async function summaryCommand(opts: { preset: string; hp?: Record<string, number>; json?: boolean }, io: CommandIo): Promise<void> {
  const preset = getPreset(opts.preset, opts.hp);
  // Building the layers creates their weights, so some engine must be ready; the pure-JS one needs no set-up.
  await initBackend({ backend: 'cpu' });
  const model = preset.build();
  try {
    const summary = summarize(model);
    if (opts.json) printJson(io, summary);
    else io.stdout.write(`${formatSummary(summary)}\n`);
  } finally {
    model.dispose();
  }
}
