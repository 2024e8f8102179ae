// Training and inference speed of mnist-lab's native engine against PyTorch on this machine, in the same run:
// each configuration alternates the two engines (separate processes, so peak RSS is per engine) over rounds, and
// the native speed is also given as a share of the machine's matrix-multiply limit, measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { modelFlops } from '../src/models/flops.js';
import { LIMIT_SIZE, measureMatmulLimit } from './matmul-limit.js';
import { type BenchModelName, benchModel } from './models.js';

export interface SpeedConfig {
  model: BenchModelName;
  batch: number;
  mode: 'train' | 'infer';
  steps: number;
  warmup: number;
}

export const CONFIGS: SpeedConfig[] = [
  { model: '10-conv-bn', batch: 64, mode: 'train', steps: 100, warmup: 10 },
  { model: '10-conv-bn', batch: 128, mode: 'train', steps: 50, warmup: 5 },
  { model: '03-relu-adam', batch: 128, mode: 'train', steps: 600, warmup: 50 },
  { model: 'codelab-maxpool', batch: 128, mode: 'train', steps: 30, warmup: 3 },
  { model: 'gap-head', batch: 64, mode: 'train', steps: 100, warmup: 10 },
  { model: 'small-pool-cnn', batch: 128, mode: 'train', steps: 100, warmup: 10 },
  { model: '10-conv-bn', batch: 1000, mode: 'infer', steps: 0, warmup: 1 },
];

/** The configurations of the named models (all when none), training steps overridden for a short run. */
export function selectConfigs(models: string[] | undefined, steps: number | undefined): SpeedConfig[] {
  const chosen = models ? CONFIGS.filter((c) => models.includes(c.model)) : CONFIGS;
  if (models && chosen.length === 0) throw new Error(`--models matches no configuration; known: ${[...new Set(CONFIGS.map((c) => c.model))].join(', ')}`);
  if (steps === undefined) return chosen;
  return chosen.map((c) => (c.mode === 'train' ? { ...c, steps, warmup: Math.max(1, Math.round(steps / 10)) } : c));
}

interface WorkerResult {
  engine: string;
  imagesPerSecond: number;
  peakRssMB: number;
  rssGrowthMB?: number;
  backendPredictImagesPerSecond?: number;
}

const PYTHON = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function configArgs(c: SpeedConfig, threads: number, dataDir: string | undefined): string[] {
  const args = ['--model', c.model, '--batch', String(c.batch), '--steps', String(c.steps), '--warmup', String(c.warmup)];
  args.push('--threads', String(threads), '--mode', c.mode);
  return dataDir ? [...args, '--data-dir', dataDir] : args;
}

function run(command: string, args: string[]): WorkerResult {
  // PyTorch's best setting here (issue 3): its own threads = cores, OpenBLAS single-threaded.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  const out = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 16 << 20 });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${out.status}):\n${out.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as WorkerResult;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface SpeedRow {
  config: SpeedConfig;
  native: number[];
  torch: number[];
  /** Matrix-product FLOP per image of the configuration's pass: a training step, or inference (src/models/flops.ts). */
  flopsPerImage: number;
  /** GFLOP/s of the sgemm limit measured just before this configuration's rounds. */
  limitGflops: number;
  nativeRssMB: number;
  torchRssMB: number;
  /** Largest RSS growth of the native process between the end of warm-up and the last step. */
  nativeRssGrowthMB?: number;
  backendPredict?: number;
}

/** Matrix-product FLOP per image of each model's training step and inference, from its layer shapes. */
async function flopsByModel(configs: SpeedConfig[]): Promise<Map<BenchModelName, { training: number; forward: number }>> {
  const flops = new Map<BenchModelName, { training: number; forward: number }>();
  for (const name of new Set(configs.map((c) => c.model))) {
    const { model } = await benchModel(name);
    flops.set(name, modelFlops(model));
    model.dispose();
  }
  return flops;
}

/**
 * Runs every configuration `rounds` times, alternating which engine goes first, after measuring the matrix-multiply
 * limit (so that each is measured under the machine's load of the moment); returns the per-round numbers.
 */
export async function measure(options: { rounds: number; threads: number; dataDir?: string; configs?: SpeedConfig[] }): Promise<SpeedRow[]> {
  const dataDir = options.dataDir ?? process.env.MNIST_DATA;
  const torchScript = join(import.meta.dirname, 'torch_train.py');
  const nativeScript = join(import.meta.dirname, 'native-worker.ts');
  const configs = options.configs ?? CONFIGS;
  const flops = await flopsByModel(configs);
  return configs.map((config) => {
    const modelFlop = flops.get(config.model)!;
    const row: SpeedRow = {
      config, native: [], torch: [], nativeRssMB: 0, torchRssMB: 0,
      flopsPerImage: config.mode === 'train' ? modelFlop.training : modelFlop.forward,
      limitGflops: measureMatmulLimit(options.threads),
    };
    const torchDir = dataDir ?? join(process.env.HOME ?? '', '.cache/mnist-lab/mnist');
    for (let round = 0; round < options.rounds; round++) {
      const engines = [
        () => {
          const r = run(process.execPath, ['--import', 'tsx', nativeScript, ...configArgs(config, options.threads, dataDir)]);
          row.native.push(r.imagesPerSecond);
          row.nativeRssMB = Math.max(row.nativeRssMB, r.peakRssMB);
          if (r.rssGrowthMB !== undefined) row.nativeRssGrowthMB = Math.max(row.nativeRssGrowthMB ?? -Infinity, r.rssGrowthMB);
          if (r.backendPredictImagesPerSecond) row.backendPredict = r.backendPredictImagesPerSecond;
        },
        () => {
          const r = run(PYTHON, [torchScript, ...configArgs(config, options.threads, torchDir)]);
          row.torch.push(r.imagesPerSecond);
          row.torchRssMB = Math.max(row.torchRssMB, r.peakRssMB);
        },
      ];
      if (round % 2 === 1) engines.reverse();
      engines.forEach((e) => e());
      process.stderr.write(`  ${label(config)} round ${round + 1}: native ${row.native.at(-1)!.toFixed(0)} img/s, pytorch ${row.torch.at(-1)!.toFixed(0)} img/s\n`);
    }
    return row;
  });
}

function label(c: SpeedConfig): string {
  return `${c.model} ${c.mode} b${c.batch}`;
}

/** The share of the limit that `imagesPerSecond` images of `flopsPerImage` FLOP each reach. */
export function limitShare(imagesPerSecond: number, flopsPerImage: number, limitGflops: number): number {
  return (imagesPerSecond * flopsPerImage) / (limitGflops * 1e9);
}

/** The best limit of the run: load on a shared machine only ever lowers a measurement. */
export const bestLimit = (rows: SpeedRow[]): number => Math.max(...rows.map((r) => r.limitGflops));

/**
 * The benchmark table: the best round of each engine (a shared machine only ever slows a round down), every
 * round in brackets, the ratio of the bests and of the medians, and the native best's matrix-product GFLOP/s as a
 * share of the run's best sgemm limit.
 */
export function formatTable(rows: SpeedRow[]): string {
  const limit = bestLimit(rows);
  const lines = [
    '| configuration | mnist-lab native img/s, best [rounds] | PyTorch img/s, best [rounds] | ratio best (median) | native GFLOP/s, share of the sgemm limit | peak RSS native / PyTorch (MB) | native RSS growth while training (MB) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const n = Math.max(...r.native);
    const t = Math.max(...r.torch);
    const all = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
    const share = `${((n * r.flopsPerImage) / 1e9).toFixed(0)}, ${(100 * limitShare(n, r.flopsPerImage, limit)).toFixed(0)}%`;
    lines.push(
      `| ${label(r.config)}${r.config.mode === 'train' ? ` (${r.config.steps} steps)` : ' (10,000 test digits)'} | ` +
        `${n.toFixed(0)} [${all(r.native)}] | ${t.toFixed(0)} [${all(r.torch)}] | ${(n / t).toFixed(2)}× (${(median(r.native) / median(r.torch)).toFixed(2)}×) | ` +
        `${share} | ${r.nativeRssMB.toFixed(0)} / ${r.torchRssMB.toFixed(0)} | ${r.nativeRssGrowthMB === undefined ? '' : r.nativeRssGrowthMB.toFixed(1)} |`,
    );
    if (r.backendPredict) lines.push(`| ↳ same inference via TF.js 'native' backend model.predict | ${r.backendPredict.toFixed(0)} | | ${(r.backendPredict / t).toFixed(2)}× | | | |`);
  }
  return lines.join('\n');
}

/** What the share column means: the limit (best of the run, and every measurement) and the FLOP per image. */
export function limitNote(rows: SpeedRow[], threads: number): string {
  const models = [...new Map(rows.map((r) => [`${r.config.model} ${r.config.mode === 'train' ? 'training' : 'inference'}`, r.flopsPerImage])).entries()];
  return (
    `Sgemm limit: ${bestLimit(rows).toFixed(0)} GFLOP/s, the best ${LIMIT_SIZE}³ oneDNN sgemm on ${threads} threads ` +
    `(measured before each configuration: ${rows.map((r) => r.limitGflops.toFixed(0)).join(', ')}). ` +
    `Matrix-product FLOP per image (conv and dense; a training step counts forward, weight and input gradients): ` +
    `${models.map(([name, f]) => `${name} ${(f / 1e6).toFixed(2)} M`).join(', ')}.`
  );
}

export function machineNote(): string {
  const [one, five] = loadavg();
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${one.toFixed(2)} / ${five.toFixed(2)} (1 / 5 min) at the end`;
}

/** Runs the benchmark, prints the table and writes it to build/bench/train-speed.{md,json}. */
export async function trainSpeed(options: { rounds: number; threads: number; dataDir?: string; configs?: SpeedConfig[] }): Promise<void> {
  const rows = await measure(options);
  const table = `${formatTable(rows)}\n\n${limitNote(rows, options.threads)}\n\nMachine: ${machineNote()}. Threads: ${options.threads} for both engines.`;
  console.log(table);
  mkdirSync('build/bench', { recursive: true });
  writeFileSync('build/bench/train-speed.md', table + '\n');
  writeFileSync('build/bench/train-speed.json', JSON.stringify(rows, null, 2) + '\n');
}
