// `node --import tsx bench/speedrun.ts [--targets 0.99,0.995] [--seeds 5]`: 12-speedrun's time from process start to
// the target on the 10k test digits, with mnist-lab (`mnist-lab speedrun`, the built CLI) and with the same recipe in
// PyTorch (bench/torch_speedrun.py: the native engine's own layer specs, the per-step learning rates, and the batch
// order and augmentation mnist-lab draws for that seed), one seed at a time, alternating which goes first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/load.js';
import { locateDataDir } from '../src/data/locate.js';
import { TrainBatches } from '../src/data/pipeline.js';
import type { DigitSet } from '../src/data/types.js';
import { medianSeconds, SPEEDRUN_STEP, timeToTarget, type SeedTiming, type SpeedrunResult } from '../src/commands/speedrun.js';
import { optimizerSpecOf } from '../src/engine/native/index.js';
import { translate } from '../src/engine/native/translate.js';
import { describeStepFile } from '../src/runner/describe-step.js';
import { labelSmoothingOf } from '../src/train/losses.js';
import type { TrainingPlan } from '../src/train/session.js';
import { machineNote } from './train-speed.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '0.99,0.995' },
    seeds: { type: 'string', default: '5' },
    threads: { type: 'string', default: String(cpus().length) },
    /** PyTorch's own threads (default: --threads); its best setting here is the cores, as in bench/train-speed.ts. */
    'torch-threads': { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const targets = values.targets.split(',').map(Number);
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i);
const threads = Number(values.threads);
const torchThreads = Number(values['torch-threads'] ?? values.threads);
const dataDir = locateDataDir({ dataDir: values['data-dir'], env: process.env, dataset: 'mnist' });
const root = join(import.meta.dirname, '..');
const PYTHON = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
if (!existsSync(join(root, 'dist/commands/speedrun-child.js'))) throw new Error('bench/speedrun.ts times the built CLI: run `npm run build` first');

/** mnist-lab's side: the CLI itself, one seed, as a user runs it; its JSON line carries the timing. */
function mnistLab(target: number, seed: number): SeedTiming {
  const args = [join(root, 'bin/mnist-lab.js'), 'speedrun', '--target', String(target), '--seeds', '1', '--seed', String(seed), '--threads', String(threads), '--data-dir', dataDir, '--json'];
  const out = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) throw new Error(`mnist-lab speedrun failed (exit ${out.status}):\n${out.stderr.slice(-2000)}`);
  return (JSON.parse(line) as SpeedrunResult).seeds[0];
}

/** The recipe as the native engine compiles it, for the peer: layer specs, batch, steps, evaluations, rates, loss. */
function recipeOf(plan: TrainingPlan): object {
  const translation = translate(plan.model as Parameters<typeof translate>[0]);
  if ('unsupported' in translation) throw new Error(`the native engine cannot compile ${SPEEDRUN_STEP}: ${translation.unsupported}`);
  const optimizer = optimizerSpecOf(plan.model.optimizer);
  const lr = Array.from({ length: plan.totalSteps }, (_, step) => plan.learningRate(Math.floor(step / plan.stepsPerEpoch), step));
  const labelSmoothing = labelSmoothingOf((plan.model as unknown as { loss: unknown }).loss) ?? 0;
  return { layers: translation.layers, batchSize: plan.batchSize, totalSteps: plan.totalSteps, evaluateEvery: plan.stepsPerEpoch, lr, labelSmoothing, optimizer };
}

/** The batches mnist-lab's pipeline draws for `seed`: digit indices, and (dx, dy, angle, zoom) per digit when augmenting. */
function batchOrder(train: DigitSet, plan: TrainingPlan, seed: number): { order: Int32Array; transforms: Float64Array | null } {
  const batches = new TrainBatches(train, { batchSize: plan.batchSize, seed, shuffleBuffer: plan.training.shuffleBuffer, augment: plan.training.augment });
  const order = new Int32Array(plan.totalSteps * plan.batchSize);
  const transforms: number[] = [];
  for (let step = 0; step < plan.totalSteps; step++) {
    const { indices, transforms: moves } = batches.nextPlan();
    order.set(indices, step * plan.batchSize);
    moves?.forEach((t) => transforms.push(t.dx, t.dy, t.angle, t.zoom));
  }
  return { order, transforms: transforms.length ? Float64Array.from(transforms) : null };
}

interface Pair {
  seed: number;
  mnistLab: SeedTiming;
  pytorch: SeedTiming;
}

const seconds = (t: SeedTiming): string =>
  t.seconds === null ? `not reached (best ${(t.accuracy * 100).toFixed(2)}%)` : `${t.seconds.toFixed(2)} s (${(t.accuracy * 100).toFixed(2)}%, ${t.steps} steps)`;

function formatPairs(target: number, pairs: Pair[]): string {
  const startup = (t: SeedTiming) => (t.startupSeconds === null ? '-' : t.startupSeconds.toFixed(2));
  const lines = [
    `Time from process start to ${(target * 100).toFixed(1)}% on the 10k test digits (${SPEEDRUN_STEP}, --target ${target}):`,
    '',
    '| seed | mnist-lab | PyTorch | PyTorch / mnist-lab | start-up s, mnist-lab / PyTorch | in evaluations s, mnist-lab / PyTorch |',
    '|---|---|---|---|---|---|',
  ];
  for (const p of pairs) {
    const ratio = p.mnistLab.seconds !== null && p.pytorch.seconds !== null ? `${(p.pytorch.seconds / p.mnistLab.seconds).toFixed(2)}×` : '-';
    lines.push(`| ${p.seed} | ${seconds(p.mnistLab)} | ${seconds(p.pytorch)} | ${ratio} | ${startup(p.mnistLab)} / ${startup(p.pytorch)} | ${p.mnistLab.evaluationSeconds.toFixed(2)} / ${p.pytorch.evaluationSeconds.toFixed(2)} |`);
  }
  const ours = medianSeconds(pairs.map((p) => p.mnistLab));
  const theirs = medianSeconds(pairs.map((p) => p.pytorch));
  const median = (s: number | null) => (s === null ? 'none' : `${s.toFixed(2)} s`);
  const reached = (pick: (p: Pair) => SeedTiming) => `${pairs.filter((p) => pick(p).seconds !== null).length}/${pairs.length}`;
  lines.push(`| **median** | **${median(ours)}** (${reached((p) => p.mnistLab)} reached) | **${median(theirs)}** (${reached((p) => p.pytorch)} reached) | ${ours && theirs ? `${(theirs / ours).toFixed(2)}×` : '-'} | | |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { train } = await loadDataset({ dir: dataDir, dataset: 'mnist', testLimit: 1 });
  const scratch = mkdtempSync(join(tmpdir(), 'speedrun-bench-'));
  const reports: string[] = [];
  const results: Record<string, Pair[]> = {};
  try {
    for (const target of targets) {
      const plan = await describeStepFile(SPEEDRUN_STEP, { target });
      const recipePath = join(scratch, `recipe-${target}.json`);
      writeFileSync(recipePath, JSON.stringify(recipeOf(plan)));
      plan.model.dispose();
      const pairs: Pair[] = [];
      for (const seed of seeds) {
        const { order, transforms } = batchOrder(train, plan, seed);
        const orderPath = join(scratch, 'order.bin');
        const transformsPath = join(scratch, 'transforms.bin');
        writeFileSync(orderPath, order);
        if (transforms) writeFileSync(transformsPath, transforms);
        const torchArgs = [join(import.meta.dirname, 'torch_speedrun.py'), '--recipe', recipePath, '--order', orderPath, '--data-dir', dataDir, '--threads', String(torchThreads), '--seed', String(seed)];
        if (transforms) torchArgs.push('--transforms', transformsPath);
        // PyTorch's best setting here (as in bench/train-speed.ts): its own threads = cores, OpenBLAS single-threaded.
        const pytorch = () => timeToTarget(PYTHON, torchArgs, target, seed, { cwd: root, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
        let ours: SeedTiming;
        let theirs: SeedTiming;
        if (seed % 2 === 0) {
          ours = mnistLab(target, seed);
          theirs = await pytorch();
        } else {
          theirs = await pytorch();
          ours = mnistLab(target, seed);
        }
        pairs.push({ seed, mnistLab: ours, pytorch: theirs });
        process.stderr.write(`  target ${target} seed ${seed}: mnist-lab ${seconds(ours)}, PyTorch ${seconds(theirs)}\n`);
      }
      results[String(target)] = pairs;
      reports.push(formatPairs(target, pairs));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const report = `${reports.join('\n\n')}\n\nMachine: ${machineNote()}. Threads: ${threads} for mnist-lab, ${torchThreads} for PyTorch. Command: node --import tsx bench/speedrun.ts ${process.argv.slice(2).join(' ')}`.trimEnd();
  console.log(report);
  mkdirSync(join(root, 'build/bench'), { recursive: true });
  writeFileSync(join(root, 'build/bench/speedrun.md'), `${report}\n`);
  writeFileSync(join(root, 'build/bench/speedrun.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
