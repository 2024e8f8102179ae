// Load benchmark of the prediction server: autocannon posts single-digit predictions to 127.0.0.1 for 30 s.
//   node --import tsx bench/server-load.ts [--model DIR] [--preset 03-relu-adam] [--duration 30] [--connections 10]
//     [--backend auto|native|wasm|cpu] [--threads 1]
// The server runs in a child process (this file with --serve-child) so its RSS is measured alone.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/load.js';
import { PIXELS } from '../src/data/types.js';
import { initBackend, type BackendChoice } from '../src/engine/backend.js';
import { describeStepFile } from '../src/runner/describe-step.js';
import { saveModel } from '../src/models/io.js';
import { buildApp } from '../src/server/app.js';
import { SERVING_THREADS } from '../src/commands/serve.js';

const MNIST_DIR = process.env.MNIST_DATA ?? fileURLToPath(new URL('../../shared/data/mnist', import.meta.url));

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
type Autocannon = (options: {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  duration: number;
  connections: number;
}) => Promise<AutocannonResult>;

type ChildMessage = { url: string; backend: string } | { rss: number; calls: number; images: number };

async function serveChild(modelDir: string, backend: BackendChoice, threads: number): Promise<void> {
  const started = await initBackend({ backend, threads });
  const app = await buildApp({ models: { bench: modelDir } });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ url, backend: started.name } satisfies ChildMessage);
  process.on('message', async () => {
    const stats = (await app.inject('/health')).json().models.bench;
    process.send?.({ rss: process.memoryUsage().rss, calls: stats.calls, images: stats.images } satisfies ChildMessage);
  });
}

function ask(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as ChildMessage));
    child.send('stats');
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      preset: { type: 'string', default: '03-relu-adam' },
      duration: { type: 'string', default: '30' },
      connections: { type: 'string', default: '10' },
      backend: { type: 'string', default: 'auto' },
      threads: { type: 'string', default: String(SERVING_THREADS) },
      'serve-child': { type: 'string' },
    },
  });
  const backend = values.backend as BackendChoice;
  const threads = Number(values.threads);
  if (values['serve-child'] !== undefined) return serveChild(values['serve-child'], backend, threads);

  let modelDir = values.model;
  if (modelDir === undefined) {
    // Untrained weights predict as fast as trained ones; the preset sets the model's size.
    modelDir = join(import.meta.dirname, '../build/bench-model', values.preset);
    await initBackend({ backend: 'cpu' });
    const model = (await describeStepFile(values.preset)).model;
    await saveModel(model, modelDir);
    model.dispose();
  }
  const digit = (await loadDataset({ dir: MNIST_DIR, dataset: 'mnist', limit: 1, testLimit: 1 })).test.images.subarray(0, PIXELS);
  const image = Array.from({ length: 28 }, (_, y) => Array.from(digit.subarray(y * 28, (y + 1) * 28), (v) => v / 255));
  const body = JSON.stringify({ instances: [{ image }] });

  const child = fork(import.meta.filename, ['--serve-child', modelDir, '--backend', backend, '--threads', String(threads)], { execArgv: ['--import', 'tsx'] });
  const { url, backend: activeBackend } = (await new Promise<ChildMessage>((resolve) => child.once('message', (m) => resolve(m as ChildMessage)))) as {
    url: string;
    backend: string;
  };
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const load = (duration: number) =>
    autocannon({
      url: `${url}/v1/models/bench:predict`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duration,
      connections: Number(values.connections),
    });
  try {
    const start = (await ask(child)) as { rss: number };
    await load(3); // warm-up: JIT, first batches, allocator pools
    const before = (await ask(child)) as { rss: number; calls: number; images: number };
    const result = await load(Number(values.duration));
    const after = (await ask(child)) as { rss: number; calls: number; images: number };
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    const report = {
      model: modelDir,
      backend: activeBackend,
      threads,
      duration_s: Number(values.duration),
      connections: Number(values.connections),
      requests_per_s: Math.round(result.requests.average),
      requests: result.requests.total,
      latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors + result.timeouts + result.non2xx,
      images_per_model_call: +((after.images - before.images) / Math.max(1, after.calls - before.calls)).toFixed(2),
      rss: { at_start: mb(start.rss), after_warmup: mb(before.rss), after_run: mb(after.rss) },
    };
    console.log(JSON.stringify(report, null, 2));
    if (report.errors > 0) process.exitCode = 1;
  } finally {
    child.kill();
  }
}

await main();
