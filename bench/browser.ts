// Training speed in the browser lab: images/s of 03-relu-adam and 10-conv-bn on each engine headless Chromium offers
// here, beside Node's native engine in the same run. `node --import tsx bench/browser.ts [--rounds N]`.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveStatic } from '../test/helpers/static-server.js';
import { buildSite } from '../web/lab/build-site.js';
import type { EngineStatus } from '../web/lab/src/protocol.js';
import { machineNote } from './train-speed.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, 'data-dir': { type: 'string' } } });
const ROUNDS = Number(values.rounds);

/** Each step at its lab file's batch size, with enough steps for a few seconds on wasm (software GPUs get fewer). */
const MODELS = [
  { step: '03-relu-adam', batch: 128, steps: 100, softwareSteps: 20 },
  { step: '10-conv-bn', batch: 64, steps: 30, softwareSteps: 4 },
] as const;

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-unsafe-webgpu'];

/** Trains `steps` batches of the step in the page and gives the kept model's images/s (kept before the run ends). */
async function trainInPage(page: Page, step: string, steps: number, batch: number): Promise<number> {
  await page.click(`button[data-step="${step}"]`);
  await page.evaluate(() => ((document.getElementById('run-settings') as HTMLDetailsElement).open = true));
  const settings = { epochs: '1', steps: String(steps), limit: String(steps * batch), 'val-limit': '1', 'batch-size': String(batch) };
  for (const [name, value] of Object.entries(settings)) await page.fill(`#setting-${name}`, value);
  await page.evaluate(() => delete document.body.dataset.lastStatus);
  await page.click('#train');
  await page.waitForFunction(() => document.body.dataset.lastStatus !== undefined, null, { timeout: 1_800_000 });
  const status = await page.evaluate(() => document.body.dataset.lastStatus);
  if (status !== 'completed') throw new Error(`${step}: ${status}: ${await page.textContent('#run-error')}`);
  return page.evaluate(
    (batchSize) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('mnist-lab');
        open.onsuccess = () => {
          const all = open.result.transaction('models').objectStore('models').getAll();
          all.onsuccess = () => {
            type Kept = { time: string; metrics: { steps: number; seconds: number } | null };
            const newest = (all.result as Kept[]).sort((a, b) => b.time.localeCompare(a.time))[0];
            // metrics.json rounds images/s to a whole number: too coarse for a software GPU's few.
            resolve(newest?.metrics ? (newest.metrics.steps * batchSize) / newest.metrics.seconds : NaN);
          };
          all.onerror = () => reject(all.error);
        };
        open.onerror = () => reject(open.error);
      }),
    batch,
  );
}

/** The native engine's compiled step on the same model and batch (bench/native-worker.ts), in its own process. */
function nativeImagesPerSecond(step: string, batch: number): number {
  const args = ['--import', 'tsx', join(import.meta.dirname, 'native-worker.ts'), '--model', step, '--batch', String(batch), '--steps', '50', '--warmup', '5'];
  if (values['data-dir']) args.push('--data-dir', values['data-dir']);
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) throw new Error(`native worker failed (exit ${out.status}): ${out.stderr.slice(-2000)}`);
  return (JSON.parse(line) as { imagesPerSecond: number }).imagesPerSecond;
}

async function engineRound(browser: Browser, url: string, engine: EngineStatus, results: Map<string, number[]>): Promise<void> {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}/index.html?engine=${engine.name}`);
    await page.waitForFunction(() => document.body.dataset.state !== 'starting', null, { timeout: 120_000 });
    for (const { step, batch, steps, softwareSteps } of MODELS) {
      const n = engine.software ? softwareSteps : steps;
      // A first, short run compiles the engine's kernels for these shapes; the second is measured.
      await trainInPage(page, step, Math.max(1, Math.round(n / 4)), batch);
      const speed = await trainInPage(page, step, n, batch);
      results.set(`${step} ${engine.name}`, [...(results.get(`${step} ${engine.name}`) ?? []), speed]);
      process.stderr.write(`  ${step} on ${engine.name}: ${speed.toFixed(1)} img/s\n`);
    }
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-lab-bench-site-'));
  const { outDir } = await buildSite({ outDir: join(dir, 'site'), dataDir: values['data-dir'], log: () => {} });
  // Cross-origin isolated, as `mnist-lab serve` serves it: wasm runs its threaded build.
  const server = await serveStatic(outDir, { isolate: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const results = new Map<string, number[]>();
  try {
    const probe = await browser.newPage();
    await probe.goto(`${server.url}/index.html`);
    await probe.waitForFunction(() => document.body.dataset.state !== 'starting', null, { timeout: 120_000 });
    const engines = (JSON.parse((await probe.evaluate(() => document.body.dataset.engines)) ?? '[]') as EngineStatus[]).filter((e) => e.ok);
    await probe.close();
    for (let round = 0; round < ROUNDS; round++) {
      for (const { step, batch } of MODELS) {
        const speed = nativeImagesPerSecond(step, batch);
        results.set(`${step} native`, [...(results.get(`${step} native`) ?? []), speed]);
        process.stderr.write(`  ${step} native: ${speed.toFixed(0)} img/s\n`);
      }
      for (const engine of engines) await engineRound(browser, server.url, engine, results);
    }
    // The best round of each (a shared machine only ever slows a round down), every round in brackets.
    const best = (xs: number[] | undefined) => Math.max(...(xs ?? [NaN]));
    const rounds = (xs: number[] | undefined) => (xs ?? []).map((x) => x.toFixed(1)).join(', ');
    const lines = ['| step (batch) | engine | images/s, best [rounds] | native engine images/s, best [rounds] | native / browser |', '|---|---|---|---|---|'];
    for (const { step, batch } of MODELS) {
      const native = results.get(`${step} native`);
      for (const engine of engines) {
        const speeds = results.get(`${step} ${engine.name}`);
        const name = `${engine.name}${engine.software ? ' (software GPU)' : ''}: ${engine.detail}`;
        lines.push(`| \`${step}\` (${batch}) | ${name} | ${best(speeds).toFixed(1)} [${rounds(speeds)}] | ${best(native).toFixed(0)} [${rounds(native)}] | ${(best(native) / best(speeds)).toFixed(0)}× |`);
      }
    }
    console.log(lines.join('\n'));
    console.log(`\n${machineNote()}; Chromium ${browser.version()}`);
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
