// Is step 1's "about 90%" the recipe or us? Trains 01-softmax over several seeds with mnist-lab and with the
// same recipe in PyTorch (bench/torch_softmax.py), and prints both accuracy spreads side by side.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { locateDataDir } from '../src/data/locate.js';
import { runStep } from '../src/runner/run-step.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '5' }, 'data-dir': { type: 'string' } } });
const seeds = Number(values.seeds);
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer, got ${values.seeds}`);
const dataDir = locateDataDir({ dataDir: values['data-dir'], env: process.env, dataset: 'mnist' });

async function ours(): Promise<number[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'softmax-recipe-'));
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  try {
    const accuracies: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const outcome = await runStep({ step: '01-softmax', seed, pictures: false, dataDir, out: join(scratch, `seed-${seed}`) }, { cwd: scratch, env: process.env, log: silent });
      accuracies.push(outcome.metrics?.test_accuracy ?? NaN);
      process.stderr.write(`mnist-lab seed ${seed}: ${accuracies[seed].toFixed(4)}\n`);
    }
    return accuracies;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function pytorch(): number[] {
  const python = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const script = join(import.meta.dirname, 'torch_softmax.py');
  const out = spawnSync(python, [script, '--seeds', String(seeds), '--data-dir', dataDir], { encoding: 'utf8' });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) throw new Error(`${script} failed (exit ${out.status}):\n${out.stderr.slice(-2000)}`);
  return (JSON.parse(line) as { accuracies: number[] }).accuracies;
}

const spread = (xs: number[]): string => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const atLeast90 = xs.filter((x) => x >= 0.9).length;
  return `mean ${mean.toFixed(4)}, min ${Math.min(...xs).toFixed(4)}, max ${Math.max(...xs).toFixed(4)}, ≥ 0.90: ${atLeast90}/${xs.length}`;
};

const mine = await ours();
const theirs = pytorch();
console.log('| seed | mnist-lab | PyTorch |\n|---|---|---|');
mine.forEach((a, seed) => console.log(`| ${seed} | ${a.toFixed(4)} | ${theirs[seed].toFixed(4)} |`));
console.log(`\nmnist-lab: ${spread(mine)}\nPyTorch:   ${spread(theirs)}`);
