// The static lab in real Chromium, from a plain static server on loopback: engines, training in the worker, errors, Hebrew.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, FILE_ROLES } from '../../src/data/datasets.js';
import { buildApp } from '../../src/server/app.js';
import { buildSite } from '../../web/lab/build-site.js';
import { autoOrder } from '../../web/lab/src/engine-order.js';
import { ENGINES, type EngineName, type EngineStatus } from '../../web/lab/src/protocol.js';
import { loadDataset } from '../../src/data/load.js';
import { FASHION_DIR, MNIST_DIR } from '../helpers/paths.js';
import { traceMainThread, type MainThreadTask } from '../helpers/main-thread.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/web');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`static lab tests skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

/**
 * --enable-unsafe-webgpu: Chromium offers WebGPU on its SwiftShader adapter only with it. WebGL 2 runs on
 * SwiftShader (ANGLE over Vulkan) without any flag, even with --disable-gpu.
 */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-unsafe-webgpu'];

const MNIST_FILES = FILE_ROLES.map((role) => DATASETS.mnist.files[role].name);

/** One training step of a small CNN on the page's engine and on TF.js's cpu backend, same weights and batch. */
const ENGINE_CHECK = `import * as tf from '@tensorflow/tfjs';
import { loadDataset } from 'mnist-lab';

function model(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

async function step(backend: string, weights: Float32Array[] | null, images: Float32Array, labels: Int32Array) {
  await tf.setBackend(backend);
  const m = model();
  if (weights) m.setWeights(m.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const xs = tf.tensor4d(images, [16, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.metrics.categoricalCrossentropy(ys, m.apply(xs) as tf.Tensor).mean() as tf.Scalar, variables);
  const result = {
    loss: (await value.data())[0],
    grads: await Promise.all(Object.values(grads).map(async (g) => Float32Array.from(await g.data()))),
    weights: await Promise.all(m.getWeights().map(async (w) => Float32Array.from(await w.data()))),
  };
  tf.dispose([xs, ys, value, ...Object.values(grads)]);
  m.dispose();
  return result;
}

export default async function check(): Promise<void> {
  const engine = tf.getBackend();
  const data = await loadDataset('mnist', { limit: 16, testLimit: 1 });
  const images = Float32Array.from(data.train.images, (v) => v / 255);
  const labels = Int32Array.from(data.train.labels);
  const reference = await step('cpu', null, images, labels);
  const result = await step(engine, reference.weights, images, labels);
  await tf.setBackend(engine);
  const relative = (a: Float32Array, b: Float32Array) =>
    Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(1e-6, ...b.map(Math.abs));
  console.log('CHECK ' + JSON.stringify({
    engine: tf.getBackend(),
    loss: result.loss,
    referenceLoss: reference.loss,
    gradients: result.grads.map((g, i) => relative(g, reference.grads[i])),
  }));
}
`;

describe.skipIf(!hasChromium)('static lab in Chromium', () => {
  let dir: string;
  let site: string;
  let plain: StaticServer;
  let isolated: StaticServer;
  let browser: Browser;
  let context: BrowserContext;
  let engines: EngineStatus[] = [];
  let hasFashion = false;
  const requested: string[] = [];
  /** Where the pages may send requests: the static servers, and mnist-lab serve in its test. */
  const origins = new Set<string>();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mnist-lab-site-'));
    await mkdir(ARTIFACTS, { recursive: true });
    // Found as the CLI finds them: MNIST through MNIST_DATA, Fashion-MNIST in Debian's package folder when installed.
    const built = await buildSite({ outDir: join(dir, 'site'), env: { MNIST_DATA: MNIST_DIR, HOME: dir }, log: () => {} });
    site = built.outDir;
    hasFashion = built.datasets.includes('fashion');
    await writeBadData(site);
    plain = await serveStatic(site);
    isolated = await serveStatic(site, { isolate: true });
    origins.add(plain.url).add(isolated.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    context.on('request', (request) => requested.push(request.url()));
    context.on('weberror', (error) => pageErrors.push(error.error().message));
  });

  afterAll(async () => {
    await browser?.close();
    await plain?.close();
    await isolated?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Next to the real data: a folder with a truncated file, one with another dataset's file, one with none. */
  async function writeBadData(root: string): Promise<void> {
    const mnist = join(root, 'data', 'mnist');
    for (const bad of ['bad-truncated', 'bad-wrong']) {
      await mkdir(join(root, bad));
      for (const name of MNIST_FILES) await writeFile(join(root, bad, `${name}.gz`), await readFile(join(mnist, `${name}.gz`)));
    }
    const labels = await readFile(join(mnist, 't10k-labels-idx1-ubyte.gz'));
    await writeFile(join(root, 'bad-truncated', 't10k-labels-idx1-ubyte.gz'), labels.subarray(0, labels.length - 500));
    // The training labels in the test labels' place: valid gzip and IDX, wrong checksum.
    await writeFile(join(root, 'bad-wrong', 't10k-labels-idx1-ubyte.gz'), await readFile(join(mnist, 'train-labels-idx1-ubyte.gz')));
  }

  async function openLab(query = '', server = plain): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/index.html${query}`);
    await page.waitForFunction(() => document.body.dataset.state !== 'starting', null, { timeout: 60_000 });
    return page;
  }

  /** Replaces the editor's text as typing would (select all, insert). */
  async function setCode(page: Page, code: string): Promise<void> {
    await page.click('#editor .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(code);
  }

  /**
   * Presses Train and waits for the run's end; returns its status and, with `trace`, the main thread's tasks while it
   * trained (from the worker's "running" on: the transform before and the page's start are not training).
   */
  async function train(page: Page, options: { trace?: boolean } = {}): Promise<{ status: string; tasks: MainThreadTask[] }> {
    await page.evaluate(() => {
      delete document.body.dataset.lastStatus;
      new MutationObserver((_, observer) => {
        if (document.body.dataset.state !== 'running') return;
        performance.mark('training-started');
        observer.disconnect();
      }).observe(document.body, { attributeFilter: ['data-state'] });
    });
    const stopTrace = options.trace ? await traceMainThread(browser, page, 'training-started') : null;
    await page.click('#train');
    await page.waitForFunction(() => document.body.dataset.lastStatus !== undefined, null, { timeout: 100_000 });
    const status = (await page.evaluate(() => document.body.dataset.lastStatus)) as string;
    return { status, tasks: stopTrace ? await stopTrace() : [] };
  }

  const numbers = async (page: Page, selector: string, attribute: string): Promise<number[]> =>
    ((await page.getAttribute(selector, attribute)) ?? '').split(',').filter(Boolean).map(Number);

  it('starts every engine this Chromium offers and picks the fastest that works', async () => {
    const page = await openLab();
    engines = JSON.parse((await page.evaluate(() => document.body.dataset.engines)) ?? '[]');
    expect(engines.map((e) => e.name)).toEqual([...ENGINES]);
    for (const e of engines) if (!e.ok) console.warn(`engine ${e.name} does not start here: ${e.reason}`);
    // WebGL (SwiftShader) and wasm start in any Chromium; SwiftShader counts as a software GPU, slower than wasm.
    expect(engines.filter((e) => e.ok).map((e) => e.name)).toEqual(expect.arrayContaining(['webgl', 'wasm']));
    for (const e of engines.filter((e) => e.ok && /SwiftShader/i.test(e.detail ?? ''))) expect(e.software, e.name).toBe(true);
    const fastest = autoOrder(engines)[0];
    expect(await page.evaluate(() => document.body.dataset.engine)).toBe(fastest);
    expect(await page.textContent('#engine-status')).toBe(fastest);
    expect(engines.find((e) => e.name === 'wasm')?.detail).toMatch(/^SIMD, not cross-origin isolated: single-threaded build/);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-en.png'), fullPage: true });
    await page.close();
  });

  for (const engine of ENGINES) {
    it(`trains the plumbing step on ${engine} in the worker: loss falls, tensors stay flat, the page never blocks`, async (test) => {
      const status = engines.find((e) => e.name === engine);
      if (!status?.ok) {
        console.warn(`${engine} training skipped: ${status?.reason ?? 'the engine list is missing'}`);
        test.skip();
      }
      const page = await openLab(`?engine=${engine}`);
      expect(await page.evaluate(() => document.body.dataset.engine)).toBe(engine);
      const run = await train(page, { trace: true });
      expect(run.status, (await page.textContent('#run-error')) ?? '').toBe('completed');
      expect(await page.textContent('#run-log')).toContain(`training on ${engine}: 7850 parameters`);
      const losses = await numbers(page, '#loss-chart', 'data-batch-losses');
      expect(losses).toHaveLength(40); // 2 epochs of 2,000 digits in batches of 100
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.6);
      // Batch records carry the tensor count: the same after every batch of an epoch (validation adds a few at its end).
      const counts = await numbers(page, '#tensor-text', 'data-counts');
      const batchCounts = counts.slice(1, 20).concat(counts.slice(22, 41));
      expect(new Set(batchCounts).size, `tensor counts ${counts}`).toBe(1);
      expect(counts.at(-1)).toBeLessThanOrEqual(counts[0]);
      // The page kept working while it trained (a task every frame or so), and none of its tasks held the thread for 100 ms.
      expect(run.tasks.length, 'main-thread tasks traced while training').toBeGreaterThan(20);
      expect(run.tasks.filter((t) => t.cpu > 100), 'main-thread tasks over 100 ms of CPU while training').toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `lab-trained-${engine}.png`), fullPage: true });
      await page.close();
    });
  }

  it('agrees with TF.js cpu on one training step of a CNN, on each engine that starts (wasm with our conv kernels)', async () => {
    for (const { name, ok, reason } of engines) {
      if (!ok) {
        console.warn(`${name} check skipped: ${reason}`);
        continue;
      }
      const page = await openLab(`?engine=${name}`);
      await setCode(page, ENGINE_CHECK);
      expect((await train(page)).status, (await page.textContent('#run-error')) ?? '').toBe('completed');
      const line = ((await page.textContent('#run-log')) ?? '').split('\n').find((l) => l.startsWith('CHECK '));
      const check = JSON.parse((line ?? 'CHECK {}').slice(6)) as { engine: EngineName; loss: number; referenceLoss: number; gradients: number[] };
      expect(check.engine).toBe(name);
      expect(check.loss).toBeCloseTo(check.referenceLoss, 4);
      expect(check.gradients).toHaveLength(6);
      for (const difference of check.gradients) expect(difference, `${name} gradients vs cpu`).toBeLessThan(1e-3);
      await page.close();
    }
  });

  it('trains an edited step, and reports syntax and runtime errors with their lines', async () => {
    const page = await openLab('?engine=wasm');
    const original = (await page.textContent('#editor .cm-content')) ?? '';
    const plumbing = await readFile(join(import.meta.dirname, '../../web/lab/steps/plumbing.ts'), 'utf8');
    const output = "  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));";
    expect(plumbing).toContain(output);
    // Change a layer: a hidden layer of 32 before the softmax (784·32 + 32 + 32·10 + 10 = 25,450 parameters).
    await setCode(page, plumbing.replace(output, `  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));\n${output}`));
    expect(await page.isVisible('#code-edited')).toBe(true);
    expect((await train(page)).status).toBe('completed');
    expect(await page.textContent('#run-log')).toContain('training on wasm: 25450 parameters');

    const lines = plumbing.split('\n');
    const broken = [...lines.slice(0, 10), '  const = 5;', ...lines.slice(10)].join('\n');
    await setCode(page, broken);
    expect((await train(page)).status).toBe('failed');
    expect(await page.getAttribute('#run-error', 'data-line')).toBe('11');
    expect(await page.textContent('#run-error')).toMatch(/^Syntax error at line \u206611\u2069, column \u20669\u2069: \u2066Unexpected token\u2069$/);
    expect(await page.isVisible('#editor .cm-error-line')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-syntax-error.png'), fullPage: true });

    const throwing = [...lines.slice(0, 14), "  throw new Error('no model today');", ...lines.slice(14)].join('\n');
    await setCode(page, throwing);
    expect((await train(page)).status).toBe('failed');
    expect(await page.getAttribute('#run-error', 'data-line')).toBe('15');
    expect(await page.textContent('#run-error')).toBe('Error at line \u206615\u2069: \u2066no model today\u2069');

    await page.click('#reset');
    expect(await page.textContent('#editor .cm-content')).toBe(original);
    expect(await page.isVisible('#code-edited')).toBe(false);
    await page.close();
  });

  it('pauses, resumes and stops a training between batches', async () => {
    const page = await openLab('?engine=wasm');
    const plumbing = await readFile(join(import.meta.dirname, '../../web/lab/steps/plumbing.ts'), 'utf8');
    await setCode(page, plumbing.replace('const EPOCHS = 2;', 'const EPOCHS = 200;'));
    await page.click('#train');
    const batches = async () => (await numbers(page, '#loss-chart', 'data-batch-losses')).length;
    await page.waitForFunction(() => (document.getElementById('loss-chart')?.dataset.batchLosses ?? '').split(',').length >= 5, null, { timeout: 60_000 });
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.state === 'paused');
    expect(await page.textContent('#pause')).toBe('Resume');
    const paused = await batches();
    await page.waitForTimeout(1500);
    expect(await batches()).toBeLessThanOrEqual(paused + 1); // a batch already under way may still report
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    await page.waitForFunction((n) => (document.getElementById('loss-chart')?.dataset.batchLosses ?? '').split(',').length > n + 3, paused);
    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset.lastStatus !== undefined, null, { timeout: 30_000 });
    expect(await page.evaluate(() => document.body.dataset.lastStatus)).toBe('stopped');
    expect(await page.textContent('#run-state')).toMatch(/^stopped after \u2066[\d.]+\u2069 s$/);
    // Stopped long before its 200 epochs: the epoch line still counts the ones done.
    const done = /^epoch \u2066(\d+)\u2069\/\u2066200\u2069$/.exec((await page.textContent('#epoch-text')) ?? '');
    expect(Number(done?.[1])).toBeLessThan(10);
    await page.close();
  });

  it('says clearly when a data file is missing, truncated or another file, and never hangs', async () => {
    const cases = [
      { folder: 'bad-missing', message: /bad-missing\/\S+-ubyte\.gz: HTTP 404 Not Found/ },
      { folder: 'bad-truncated', message: /bad-truncated\/t10k-labels-idx1-ubyte\.gz: corrupt or truncated gzip/ },
      { folder: 'bad-wrong', message: /bad-wrong\/t10k-labels-idx1-ubyte\.gz: SHA-256 of the decompressed data is [0-9a-f]{64}, expected ff7bcfd4/ },
    ];
    for (const { folder, message } of cases) {
      const page = await openLab(`?engine=wasm&mnist=${folder}/`);
      const run = await train(page);
      expect(run.status).toBe('failed');
      expect(await page.textContent('#run-error')).toMatch(message);
      expect(await page.textContent('#run-error')).toContain('Hint:');
      if (folder === 'bad-truncated') await page.screenshot({ path: join(ARTIFACTS, 'lab-bad-data.png'), fullPage: true });
      await page.close();
    }
  });

  it('loads Fashion-MNIST the same way', async (test) => {
    if (!hasFashion) {
      console.warn(`Fashion-MNIST check skipped: not installed in ${FASHION_DIR} (scripts/setup.sh installs it)`);
      test.skip();
    }
    const page = await openLab('?engine=wasm');
    await setCode(
      page,
      `import { loadDataset } from 'mnist-lab';
export default async function peek(): Promise<void> {
  const data = await loadDataset('fashion', { limit: 5, testLimit: 5 });
  console.log('FASHION ' + JSON.stringify({ train: data.train.count, labels: Array.from(data.train.labels), class: data.classNames[7] }));
}`,
    );
    expect((await train(page)).status, (await page.textContent('#run-error')) ?? '').toBe('completed');
    const line = ((await page.textContent('#run-log')) ?? '').split('\n').find((l) => l.startsWith('FASHION '));
    const reference = await loadDataset({ dir: FASHION_DIR, dataset: 'fashion', limit: 5, testLimit: 5 });
    expect(JSON.parse((line ?? 'FASHION {}').slice(8))).toEqual({ train: 5, labels: Array.from(reference.train.labels), class: 'Sneaker' });
    expect(plain.requests).toContain('/data/fashion/train-images-idx3-ubyte.gz');
    await page.close();
  });

  it('keeps the data in the browser after the first load', async () => {
    // Earlier tests loaded data/mnist/ in this context; a new page (a new worker) takes it from Cache Storage.
    const before = plain.requests.length;
    const page = await openLab('?engine=wasm');
    expect((await train(page)).status).toBe('completed');
    expect(await page.evaluate(() => document.body.dataset.dataFromCache)).toBe('true');
    expect(plain.requests.slice(before).filter((path) => path.startsWith('/data/'))).toEqual([]);
    await page.close();
  });

  it('runs wasm multi-threaded when the host sends COOP/COEP', async () => {
    const page = await openLab('?engine=wasm', isolated);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const found = JSON.parse((await page.evaluate(() => document.body.dataset.engines)) ?? '[]') as EngineStatus[];
    expect(found.find((e) => e.name === 'wasm')?.detail).toMatch(/^SIMD, threaded build/);
    expect(isolated.requests.some((path) => /tfjs-backend-wasm-threaded-simd-.*\.wasm$/.test(path))).toBe(true);
    expect((await train(page)).status).toBe('completed');
    await page.close();
  });

  it('switches to Hebrew: right-to-left page, code and numbers left-to-right', async () => {
    const page = await openLab('?engine=wasm');
    await page.selectOption('#language-select', 'he');
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['he', 'rtl']);
    expect(await page.textContent('#steps-heading')).toBe('שלבים');
    expect(await page.textContent('#train')).toBe('אימון');
    const box = async (selector: string) => (await page.locator(selector).boundingBox()) ?? { x: NaN, width: NaN };
    // The grid mirrors: the step list is now on the right of the code.
    const steps = await box('.steps');
    const code = await box('.code');
    expect(steps.x).toBeGreaterThan(code.x + code.width);
    const direction = (selector: string) => page.$eval(selector, (el) => getComputedStyle(el).direction);
    expect(await direction('body')).toBe('rtl');
    expect(await direction('#editor .cm-content')).toBe('ltr');
    expect(await direction('#run-log')).toBe('ltr');
    // Numbers inside Hebrew sentences are isolated left to right.
    expect(await page.textContent('#step-status')).toMatch(/^שלב \u20661\u2069 מתוך \u2066\d+\u2069$/);
    expect((await train(page)).status).toBe('completed');
    expect(await page.textContent('#run-state')).toMatch(/^הסתיים תוך \u2066[\d.]+\u2069 שניות$/);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-he.png'), fullPage: true });
    // The choice is kept for the next visit.
    const again = await openLab();
    expect(await again.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await again.selectOption('#language-select', 'en');
    await again.close();
    await page.close();
  });

  it('falls back to the fastest that works when the chosen engine does not start (Chromium without WebGPU)', async () => {
    const withoutWebgpu = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS.filter((flag) => flag !== '--enable-unsafe-webgpu') });
    try {
      const page = await withoutWebgpu.newPage();
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`${plain.url}/index.html?engine=webgpu`);
      await page.waitForFunction(() => document.body.dataset.state !== 'starting', null, { timeout: 60_000 });
      const found = JSON.parse((await page.evaluate(() => document.body.dataset.engines)) ?? '[]') as EngineStatus[];
      expect(found.find((e) => e.name === 'webgpu')).toMatchObject({ ok: false, reason: expect.stringContaining('--enable-unsafe-webgpu') });
      expect(await page.evaluate(() => document.body.dataset.engine)).toBe(autoOrder(found)[0]);
      expect(await page.inputValue('#engine-select')).toBe('auto');
    } finally {
      await withoutWebgpu.close();
    }
  });

  it('is served by mnist-lab serve under /lab/, cross-origin isolated', async () => {
    const app = await buildApp({ models: {}, siteDir: site });
    try {
      const redirect = await app.inject({ url: '/lab' });
      expect([redirect.statusCode, redirect.headers.location]).toEqual([308, '/lab/']);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      origins.add(url);
      const page = await context.newPage();
      await page.goto(`${url}/lab/`);
      await page.waitForFunction(() => document.body.dataset.state !== 'starting', null, { timeout: 60_000 });
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const found = JSON.parse((await page.evaluate(() => document.body.dataset.engines)) ?? '[]') as EngineStatus[];
      expect(found.find((e) => e.name === 'wasm')?.detail).toMatch(/^SIMD, threaded build/);
      await page.close();
    } finally {
      await app.close();
    }
  });

  it('asked nothing of any host but the servers it was loaded from', () => {
    const elsewhere = requested.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && !origins.has(new URL(url).origin));
    expect(elsewhere).toEqual([]);
    // The worker's own requests (wasm binaries, data files) are among those seen.
    expect(requested.some((url) => url.endsWith('/data/mnist/train-images-idx3-ubyte.gz'))).toBe(true);
    expect(requested.some((url) => url.endsWith('.wasm'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
