// `node --import tsx bench/beyond-ablation.ts [--seeds 3] [--variants a,b] [--recipe-from DIR]`: what each ingredient
// of lab/11-beyond.ts adds, measured: the recipe, then the recipe with one ingredient taken away or added (its --hp-*
// knobs), each over seeds, as `mnist-lab train 11-beyond` trains it. Finished runs are kept in
// build/bench/beyond-ablation.json with the lab file's SHA-256, so an interrupted ablation of the same file continues
// where it stopped; the recipe's own runs can be read from a `mnist-lab lab --presets 11-beyond --seeds N` folder
// (same file, seeds and engine: the same runs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { locateDataDir } from '../src/data/locate.js';
import { readMetrics, readRunConfig } from '../src/run/reader.js';
import { runStep } from '../src/runner/run-step.js';
import { loadStep } from '../src/runner/step-file.js';
import { spread } from '../src/util/stats.js';
import { machineNote } from './train-speed.js';

/** The recipe and what is taken away from it or added to it, as the step's hyperparameters. */
const VARIANTS: { key: string; title: string; hp: Record<string, number> }[] = [
  { key: 'recipe', title: 'the recipe (as lab/11-beyond.ts stands)', hp: {} },
  { key: 'no-augment', title: 'without augmentation', hp: { augment: 0 } },
  { key: 'no-onecycle', title: "without one-cycle (the codelab's 0.01·0.666^epoch instead)", hp: { onecycle: 0 } },
  { key: 'smoothing', title: 'with label smoothing 0.1 (the Kaggle recipe has it)', hp: { smoothing: 0.1 } },
  { key: 'half-width', title: 'a smaller net (half the channels)', hp: { width: 0.5 } },
];

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    variants: { type: 'string', default: VARIANTS.map((v) => v.key).join(',') },
    'data-dir': { type: 'string' },
    /** A lab folder whose 11-beyond/seed-<n> runs are the recipe's (trained from the same file). */
    'recipe-from': { type: 'string' },
  },
});
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i);
const chosen = values.variants.split(',').map((key) => {
  const variant = VARIANTS.find((v) => v.key === key);
  if (!variant) throw new Error(`--variants: unknown ${key}; known: ${VARIANTS.map((v) => v.key).join(', ')}`);
  return variant;
});
const dataDir = locateDataDir({ dataDir: values['data-dir'], env: process.env, dataset: 'mnist' });
const resultsFile = join(import.meta.dirname, '..', 'build/bench/beyond-ablation.json');

interface Run {
  accuracy: number;
  seconds: number;
}

const { sha256 } = await loadStep('11-beyond', { cwd: process.cwd(), typecheck: false });
const saved = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { sha256: string; runs: Record<string, Run> }) : null;
const results: Record<string, Run> = saved?.sha256 === sha256 ? saved.runs : {};
mkdirSync(join(resultsFile, '..'), { recursive: true });
if (values['recipe-from']) {
  for (const seed of seeds) {
    const runDir = join(values['recipe-from'], '11-beyond', `seed-${seed}`);
    const [config, metrics] = await Promise.all([readRunConfig(runDir), readMetrics(runDir)]);
    const changed = Object.keys(config.hp).length > 0 || Object.values(config.overrides).some((v) => v !== null);
    if (!metrics || config.step.sha256 !== sha256 || changed || config.seed !== seed) {
      throw new Error(`${runDir} is not a finished run of the recipe's seed ${seed} as lab/11-beyond.ts now stands (unfinished, or another file, seed, flag or --hp-* knob)`);
    }
    results[`recipe/${seed}`] = { accuracy: metrics.test_accuracy, seconds: metrics.seconds };
  }
}

const scratch = await mkdtemp(join(tmpdir(), 'beyond-ablation-'));
const silent = new Writable({ write: (_chunk, _enc, done) => done() });
try {
  for (const variant of chosen) {
    for (const seed of seeds) {
      const key = `${variant.key}/${seed}`;
      if (results[key]) continue;
      const out = join(scratch, `${variant.key}-${seed}`);
      const outcome = await runStep({ step: '11-beyond', hp: variant.hp, seed, pictures: false, dataDir, out }, { cwd: scratch, env: process.env, log: silent });
      if (!outcome.metrics) throw new Error(`${key}: the run did not complete`);
      results[key] = { accuracy: outcome.metrics.test_accuracy, seconds: outcome.metrics.seconds };
      writeFileSync(resultsFile, `${JSON.stringify({ sha256, runs: results }, null, 2)}\n`);
      await rm(out, { recursive: true, force: true });
      process.stderr.write(`${key}: ${(results[key].accuracy * 100).toFixed(2)}% in ${results[key].seconds.toFixed(0)} s\n`);
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const recipe = spread(seeds.map((seed) => results[`recipe/${seed}`]?.accuracy).filter((a) => a !== undefined));
const lines = [
  `| variant of 11-beyond | test accuracy, mean ± sd (range) of ${seeds.length} seeds | against the recipe | training seconds (mean) |`,
  '|---|---|---|---|',
];
for (const variant of chosen) {
  const runs = seeds.map((seed) => results[`${variant.key}/${seed}`]);
  const accuracy = spread(runs.map((r) => r.accuracy));
  const delta = variant.key === 'recipe' || recipe.count === 0 ? '' : `${accuracy.mean >= recipe.mean ? '+' : '−'}${(Math.abs(accuracy.mean - recipe.mean) * 100).toFixed(2)} points`;
  lines.push(
    `| ${variant.title} | ${pct(accuracy.mean)} ± ${(accuracy.std * 100).toFixed(2)} (${pct(accuracy.min)}-${pct(accuracy.max)}) | ${delta} | ` +
      `${spread(runs.map((r) => r.seconds)).mean.toFixed(0)} |`,
  );
}
const report = `${lines.join('\n')}\n\nSeeds ${seeds.join(', ')}. Machine: ${machineNote()}. Command: node --import tsx bench/beyond-ablation.ts ${process.argv.slice(2).join(' ')}`.trimEnd();
console.log(report);
writeFileSync(join(resultsFile, '..', 'beyond-ablation.md'), `${report}\n`);
