// The static lab in real Chromium, from a plain static server on loopback: every engine that starts trains the real lab
// files and agrees with TF.js cpu on every step; the guided lab, edited and trained, its errors, pause and stop, the
// pictures, kept models (compared, downloaded, drawn with), data, Hebrew, hosting.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, FILE_ROLES } from '../../src/data/datasets.js';
import { loadModel } from '../../src/models/io.js';
import { STEP_NAMES } from '../../src/runner/catalogue.js';
import { buildApp } from '../../src/server/app.js';
import { autoOrder } from '../../web/lab/src/engine-order.js';
import { ENGINES, type EngineCheck, type EngineStatus } from '../../web/lab/src/protocol.js';
import {
  ARTIFACTS,
  CHROMIUM,
  expectLearning,
  expectNoFreeze,
  FLAGS,
  hasChromium,
  numbers,
  openLab,
  openLabSite,
  runError,
  runLab,
  setCode,
  setSettings,
  SHORT_SOFTMAX,
  type LabSite,
} from '../helpers/lab-page.js';
import { FASHION_DIR, REPO_ROOT } from '../helpers/paths.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

if (!hasChromium) console.warn(`static lab tests skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

const MNIST_FILES = FILE_ROLES.map((role) => DATASETS.mnist.files[role].name);

/**
 * 08-conv on a software GPU (SwiftShader takes tens of seconds a batch of 128): 3 epochs of one step on the same 16
 * digits, so that three steps visibly lower the loss, validated on 16 (the shapes WebGPU compiled for training).
 */
const SHORT_CONV = { epochs: '3', steps: '1', limit: '16', 'batch-size': '16', 'val-limit': '16' };

/** One step of a model on an engine against TF.js cpu, from the same weights and batch (engine-check.ts). */
const LOSS_TOLERANCE = 1e-4;
const GRADIENT_TOLERANCE = 1e-2;

const labFile = (step: string): Promise<string> => readFile(join(REPO_ROOT, 'lab', `${step}.ts`), 'utf8');

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

describe.skipIf(!hasChromium)('static lab in Chromium', () => {
  let lab: LabSite;
  let isolated: StaticServer;
  let engines: EngineStatus[] = [];
  /** Where the pages may send requests: the static servers, and mnist-lab serve in its test. */
  const origins = new Set<string>();
  const open = (query = '', server: StaticServer = lab.server): Promise<Page> => openLab(lab.context, `${server.url}/index.html${query}`);
  const run = (page: Page, options: { trace?: boolean; button?: string } = {}) => runLab(lab.browser, page, options);

  beforeAll(async () => {
    lab = await openLabSite(writeBadData);
    isolated = await serveStatic(lab.site, { isolate: true });
    origins.add(lab.server.url).add(isolated.url);
  }, 300_000);

  afterAll(async () => {
    await isolated?.close();
    await lab?.close();
  });

  it('starts every engine this Chromium offers and picks the fastest that works', async () => {
    const page = await open();
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
    await page.close();
  });

  for (const engine of ENGINES) {
    it(`trains 01-softmax and 08-conv on ${engine}: loss falls, tensors stay flat, the page never blocks`, async (test) => {
      const status = engines.find((e) => e.name === engine);
      if (!status?.ok) {
        console.warn(`${engine} skipped: it does not start in this Chromium (${status?.reason ?? 'the engine list is missing'})`);
        test.skip();
      }
      const page = await open(`?engine=${engine}&${SHORT_SOFTMAX}`);
      expect(await page.evaluate(() => document.body.dataset.engine)).toBe(engine);

      const softmax = await run(page, { trace: true });
      expect(softmax.status, await runError(page)).toBe('completed');
      expect(await page.textContent('#run-log')).toMatch(/Total params: 7,850[\s\S]*Epoch 2\/2\n10\/10 \[=+\]/);
      await expectLearning(page, `01-softmax on ${engine}`);
      expectNoFreeze(softmax.tasks, `01-softmax on ${engine}`);
      expect(await page.textContent('#model-table tbody tr:first-child')).toContain(`tfjs-${engine}`);
      await page.screenshot({ path: join(ARTIFACTS, `lab-01-softmax-${engine}.png`), fullPage: true });

      await page.click('button[data-step="08-conv"]');
      await setSettings(page, SHORT_CONV);
      const conv = await run(page, { trace: true });
      expect(conv.status, await runError(page)).toBe('completed');
      expect(await page.textContent('#run-log')).toContain('Total params: 354,002');
      await expectLearning(page, `08-conv on ${engine}`);
      expectNoFreeze(conv.tasks, `08-conv on ${engine}`);
      // lab.plotLearningRate drew the schedule before fit trained anything: 0.01 · 0.6^epoch over the 3 epochs.
      const plan = JSON.parse((await page.getAttribute('#lr-chart', 'data-plan')) ?? '{}') as { rates: number[]; beforeTraining: boolean };
      expect(plan.beforeTraining).toBe(true);
      expect(plan.rates.slice(0, 3).map((r) => Number(r.toPrecision(6)))).toEqual([0.01, 0.006, 0.0036]);
      await page.screenshot({ path: join(ARTIFACTS, `lab-08-conv-${engine}.png`), fullPage: true });
      await page.close();
    }, 600_000);
  }

  it('agrees with TF.js cpu on one training step of every ladder step, on every engine that starts', async () => {
    const page = await open('?engine=wasm');
    const started = engines.filter((e) => e.ok).map((e) => e.name);
    for (const e of engines.filter((e) => !e.ok)) console.warn(`${e.name} not checked: it does not start in this Chromium (${e.reason})`);
    for (const step of STEP_NAMES) {
      await page.click(`button[data-step="${step}"]`);
      expect((await run(page, { button: '#check' })).status, `${step}: ${await runError(page)}`).toBe('completed');
      const checks = JSON.parse((await page.evaluate(() => document.body.dataset.check)) ?? '[]') as EngineCheck[];
      expect(checks.map((c) => [c.engine, c.step])).toEqual(started.map((engine) => [engine, step]));
      for (const check of checks) {
        const what = `${step} on ${check.engine} vs cpu`;
        expect(Math.abs(check.loss - check.referenceLoss) / check.referenceLoss, `${what}: loss`).toBeLessThan(LOSS_TOLERANCE);
        expect(check.gradients.length, what).toBeGreaterThanOrEqual(2);
        for (const [i, difference] of check.gradients.entries()) expect(difference, `${what}: gradient ${i}`).toBeLessThan(GRADIENT_TOLERANCE);
      }
    }
    expect(await page.textContent('#run-state')).toMatch(new RegExp(`^\u2066${started.join(', ')}\u2069 against cpu: losses differ by at most`));
    await page.screenshot({ path: join(ARTIFACTS, 'lab-engine-check.png'), fullPage: true });
    await page.close();
  }, 900_000);

  it('offers every step (the ladder, the two beyond it, mlengine) as a guided lab, each with its lesson from its lab file', async () => {
    const page = await open();
    expect(await page.$$eval('#step-list button', (buttons) => buttons.map((b) => b.dataset.step))).toEqual(STEP_NAMES);
    expect(await page.textContent('#editor .cm-content')).toMatch(/^\/\/ Step 1 of the codelab \(keras_01_mnist\): one dense softmax layer/);
    expect(await page.textContent('#lesson-text')).toMatch(/^Each of the 10 outputs is a weighted sum of the 784 pixels/);
    expect(await page.textContent('#lesson-codelab')).toBe('The codelab says: about 90%: it misses about 1,000 of the 10,000 test digits. Pass bar: \u20660.89\u2069 test accuracy (mean over seeds).');
    await page.click('button[data-step="10-conv-bn"]');
    expect(await page.textContent('#code-file')).toBe('lab/10-conv-bn.ts');
    expect(await page.textContent('#step-title')).toBe('Convolutional network with batch norm');
    expect(await page.textContent('#step-status')).toBe(`Step \u206610\u2069 of \u2066${STEP_NAMES.length}\u2069 · \u2066keras_05_mnist_batch_norm.ipynb\u2069`);
    // Syntax highlighting: CodeMirror marks the TypeScript's keywords and strings.
    expect(await page.$$eval('#editor .cm-line span', (spans) => new Set(spans.map((s) => getComputedStyle(s).color)).size)).toBeGreaterThan(3);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-en.png'), fullPage: true });
    await page.close();
  });

  it('trains an edited step (a layer changed), reports syntax and runtime errors with their lines, and resets', async () => {
    const page = await open(`?engine=wasm&${SHORT_SOFTMAX}`);
    const shown = (await page.textContent('#editor .cm-content')) ?? '';
    const original = await labFile('01-softmax');
    const layer = "    layers: [tf.layers.dense({ inputShape: [28 * 28], units: 10, activation: 'softmax' })],";
    expect(original).toContain(layer);
    // A hidden layer of 32 before the softmax: 784·32 + 32 + 32·10 + 10 = 25,450 parameters.
    const hidden = "    layers: [tf.layers.dense({ inputShape: [28 * 28], units: 32, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],";
    await setCode(page, original.replace(layer, hidden));
    expect(await page.isVisible('#code-edited')).toBe(true);
    expect(await page.evaluate(() => document.body.dataset.edited)).toBe('true');
    expect((await run(page)).status, await runError(page)).toBe('completed');
    expect(await page.textContent('#run-log')).toContain('Total params: 25,450');
    expect(await page.textContent('#model-table tbody tr:first-child')).toMatch(/01-softmax edited/);

    const lines = original.split('\n');
    const at = lines.findIndex((l) => l.includes('const EPOCHS = 10;'));
    await setCode(page, [...lines.slice(0, at), '  const = 5;', ...lines.slice(at)].join('\n'));
    expect((await run(page)).status).toBe('failed');
    expect(await page.getAttribute('#run-error', 'data-line')).toBe(String(at + 1));
    expect(await page.textContent('#run-error')).toMatch(new RegExp(`^Syntax error at line \u2066${at + 1}\u2069, column \u20669\u2069: \u2066Unexpected token\u2069$`));
    expect(await page.isVisible('#editor .cm-error-line')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'lab-syntax-error.png'), fullPage: true });

    await setCode(page, [...lines.slice(0, at), "  throw new Error('no model today');", ...lines.slice(at)].join('\n'));
    expect((await run(page)).status).toBe('failed');
    expect(await page.getAttribute('#run-error', 'data-line')).toBe(String(at + 1));
    expect(await page.textContent('#run-error')).toBe(`Error at line \u2066${at + 1}\u2069: \u2066no model today\u2069`);

    // An error of the API itself points at the line of the file that called it.
    const fitCall = lines.findIndex((l) => l.includes('await lab.fit(model, training, {'));
    await setCode(page, original.replace('validationData: validation,', ''));
    expect((await run(page)).status).toBe('failed');
    expect(await page.textContent('#run-error')).toContain('fit: validationData is missing');
    expect(await page.getAttribute('#run-error', 'data-line')).toBe(String(fitCall + 1));

    await page.click('#reset');
    // The page compares the editor's whole text with the lab file's (CodeMirror puts only the lines in view in the DOM).
    expect(await page.evaluate(() => document.body.dataset.edited)).toBe('false');
    expect(await page.isVisible('#code-edited')).toBe(false);
    expect(await page.textContent('#editor .cm-content')).toContain(shown.slice(0, 80));
    await page.close();
  });

  it('pauses, resumes and stops a training between batches, and keeps the stopped model', async () => {
    const page = await open('?engine=wasm&epochs=200&val-limit=100');
    await page.click('#train');
    const batches = async () => (await numbers(page, '#loss-chart', 'data-batch-losses')).length;
    await page.waitForFunction(() => (document.getElementById('loss-chart')?.dataset.batchLosses ?? '').split(',').length >= 3, null, { timeout: 60_000 });
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.state === 'paused');
    expect(await page.textContent('#pause')).toBe('Resume');
    const paused = await batches();
    await page.waitForTimeout(1500);
    expect(await batches()).toBeLessThanOrEqual(paused + 1); // a batch sample already under way may still report
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    await page.waitForFunction((n) => (document.getElementById('loss-chart')?.dataset.batchLosses ?? '').split(',').length > n + 2, paused);
    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset.lastStatus !== undefined, null, { timeout: 30_000 });
    expect(await page.evaluate(() => document.body.dataset.lastStatus)).toBe('stopped');
    expect(await page.textContent('#run-state')).toMatch(/^stopped after \u2066[\d.]+\u2069 s$/);
    // Stopped long before its 200 epochs: the epoch line still counts the ones done.
    const done = /^epoch \u2066(\d+)\u2069\/\u2066200\u2069$/.exec((await page.textContent('#epoch-text')) ?? '');
    expect(Number(done?.[1])).toBeLessThan(10);
    await page.waitForSelector('#model-table tbody tr');
    expect(await page.textContent('#model-table tbody tr:first-child')).toMatch(/01-softmax stopped/);
    await page.close();
  });

  it('shows the prediction cell: font digits, the validation digits with mistakes first in red, the confusion matrix', async () => {
    const page = await open(`?engine=wasm&${SHORT_SOFTMAX}`);
    expect((await run(page)).status, await runError(page)).toBe('completed');
    const grid = await page.$eval('#prediction-grid', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      // Red ink in the first caption (a mistake's) and none in the last one (a right answer's): 56-pixel cells, 16 from the edge.
      const reds = (x: number, y: number) => {
        const { data } = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(x, y, 56, 22);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] > 150 && data[i + 1] < 90 && data[i + 2] < 90) n++;
        return n;
      };
      return { hidden: c.hidden, wrong: c.dataset.wrong ?? '', errors: Number(c.dataset.errors), firstCaption: reds(16, 16 + 56), lastCaption: reds(16 + 23 * 56, 16 + 6 * 86 + 56) };
    });
    expect(grid.hidden).toBe(false);
    expect(grid.wrong).toHaveLength(100); // the 100 validation digits, fewer than the 168 the grid holds
    expect(grid.wrong).toBe('1'.repeat(grid.errors) + '0'.repeat(100 - grid.errors));
    expect(grid.errors).toBeGreaterThan(0);
    expect(grid.firstCaption).toBeGreaterThan(5);
    expect(await page.textContent('#grid-caption')).toBe(`\u2066${grid.errors}\u2069 of \u2066100\u2069 validation digits predicted wrong (mistakes first, in red)`);
    expect(await page.getAttribute('#confusion-matrix', 'data-total')).toBe('100');
    expect(await page.getAttribute('#confusion-matrix', 'data-errors')).toBe(String(grid.errors));
    expect(await page.isVisible('#font-digits')).toBe(true);
    expect(await page.getAttribute('#font-digits', 'data-wrong')).toHaveLength(24);
    expect(await page.textContent('#font-caption')).toMatch(/^Digits from fonts: \u2066\d+\u2069 of \u206624\u2069 right$/);
    await page.locator('.results').screenshot({ path: join(ARTIFACTS, 'lab-predictions.png') });
    await page.close();
  });

  it('keeps trained models: listed, compared, downloaded in TF.js format, and drawn on the pad with the model just trained', async () => {
    const page = await open('?engine=wasm&epochs=1&steps=300&val-limit=500');
    expect((await run(page)).status, await runError(page)).toBe('completed');
    const row = page.locator('#model-table tbody tr').first();
    const id = (await row.getAttribute('data-model')) as string;
    expect(id).toMatch(/^01-softmax-\d{8}-\d{6}-\d{3}$/);
    expect(await row.textContent()).toMatch(/01-softmaxtfjs-wasm1\d\.\d{4}/);
    expect(await page.getAttribute('#model-table', 'data-compared')).toContain('01-softmax tfjs-wasm');

    // The pad switched to the model just trained; a drawn "1" goes through the model in the page.
    await page.waitForFunction((model) => document.body.dataset.padModel === model, id);
    await page.locator('#pad-canvas').scrollIntoViewIfNeeded();
    const pad = (await page.locator('#pad-canvas').boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15);
    await page.mouse.down();
    for (let t = 1; t <= 10; t++) await page.mouse.move(pad.x + pad.width * (0.5 - 0.02 * t / 10), pad.y + pad.height * (0.15 + 0.7 * t / 10));
    await page.mouse.up();
    await page.waitForFunction(() => (document.getElementById('pad-prediction')?.dataset.class ?? '') !== '');
    const drawn = await page.evaluate(() => {
      const preview = (document.getElementById('pad-preview') as HTMLCanvasElement).getContext('2d') as CanvasRenderingContext2D;
      const rgba = preview.getImageData(0, 0, 28, 28).data;
      return { image: Array.from({ length: 784 }, (_, i) => rgba[i * 4] / 255), predicted: Number(document.getElementById('pad-prediction')?.dataset.class) };
    });
    expect(drawn.image.filter((v) => v > 0.5).length).toBeGreaterThan(20);
    await page.locator('.results').screenshot({ path: join(ARTIFACTS, 'lab-pad.png') });

    // Download: the model's two files, which load as a TF.js model in Node and predict the drawing alike.
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await row.locator('button[data-action="download"]').click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual([`${id}.json`, `${id}.weights.bin`]);
    const folder = join(lab.dir, 'downloaded');
    await mkdir(folder, { recursive: true });
    for (const d of downloads) await d.saveAs(join(folder, d.suggestedFilename()));
    await rename(join(folder, `${id}.json`), join(folder, 'model.json'));
    const model = await loadModel(folder);
    expect(model.countParams()).toBe(7850);
    const probabilities = tf.tidy(() => (model.predict(tf.tensor2d(drawn.image, [1, 784])) as tf.Tensor).dataSync());
    expect(probabilities.indexOf(Math.max(...probabilities))).toBe(drawn.predicted);
    model.dispose();

    // Kept across visits; deleting removes it from the list and the pad.
    const again = await open('?engine=wasm');
    await again.waitForSelector(`#model-table tr[data-model="${id}"]`);
    await again.locator(`#model-table tr[data-model="${id}"] button[data-action="forget"]`).click();
    await again.waitForSelector(`#model-table tr[data-model="${id}"]`, { state: 'detached' });
    expect(await again.$$eval('#pad-model option', (options, gone) => options.some((o) => (o as HTMLOptionElement).value === gone), id)).toBe(false);
    await again.close();
    await page.close();
  });

  it('says clearly when a data file is missing, truncated or another file, and never hangs', async () => {
    const cases = [
      { folder: 'bad-missing', message: /bad-missing\/\S+-ubyte\.gz: HTTP 404 Not Found/ },
      { folder: 'bad-truncated', message: /bad-truncated\/t10k-labels-idx1-ubyte\.gz: corrupt or truncated gzip/ },
      { folder: 'bad-wrong', message: /bad-wrong\/t10k-labels-idx1-ubyte\.gz: SHA-256 of the decompressed data is [0-9a-f]{64}, expected ff7bcfd4/ },
    ];
    for (const { folder, message } of cases) {
      const page = await open(`?engine=wasm&mnist=${folder}/&${SHORT_SOFTMAX}`);
      expect((await run(page)).status).toBe('failed');
      expect(await runError(page)).toMatch(message);
      expect(await runError(page)).toContain('Hint:');
      if (folder === 'bad-truncated') await page.screenshot({ path: join(ARTIFACTS, 'lab-bad-data.png'), fullPage: true });
      await page.close();
    }
  });

  it('trains on Fashion-MNIST the same way', async (test) => {
    if (!lab.datasets.includes('fashion')) {
      console.warn(`Fashion-MNIST check skipped: not installed in ${FASHION_DIR} (scripts/setup.sh installs it)`);
      test.skip();
    }
    const page = await open(`?engine=wasm&dataset=fashion&${SHORT_SOFTMAX}`);
    expect((await run(page)).status, await runError(page)).toBe('completed');
    expect(lab.server.requests).toContain('/data/fashion/train-images-idx3-ubyte.gz');
    expect(await page.getAttribute('#confusion-matrix', 'data-total')).toBe('100');
    // The font digits are MNIST's: not drawn for clothes.
    expect(await page.isVisible('#font-digits')).toBe(false);
    await page.close();
  });

  it('keeps the data in the browser after the first load', async () => {
    // Earlier tests loaded data/mnist/ in this context; a new page (a new worker) takes it from Cache Storage.
    const before = lab.server.requests.length;
    const page = await open(`?engine=wasm&${SHORT_SOFTMAX}`);
    expect((await run(page)).status).toBe('completed');
    expect(await page.evaluate(() => document.body.dataset.dataFromCache)).toBe('true');
    expect(lab.server.requests.slice(before).filter((path) => path.startsWith('/data/'))).toEqual([]);
    await page.close();
  });

  it('runs wasm multi-threaded when the host sends COOP/COEP', async () => {
    const page = await open(`?engine=wasm&${SHORT_SOFTMAX}`, isolated);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const found = JSON.parse((await page.evaluate(() => document.body.dataset.engines)) ?? '[]') as EngineStatus[];
    expect(found.find((e) => e.name === 'wasm')?.detail).toMatch(/^SIMD, threaded build/);
    expect(isolated.requests.some((path) => /tfjs-backend-wasm-threaded-simd-.*\.wasm$/.test(path))).toBe(true);
    expect((await run(page)).status, await runError(page)).toBe('completed');
    await page.close();
  });

  it('switches to Hebrew: right-to-left page and lessons from the lab files, code and numbers left-to-right', async () => {
    const page = await open(`?engine=wasm&step=08-conv&${SHORT_SOFTMAX}`);
    await page.selectOption('#language-select', 'he');
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['he', 'rtl']);
    expect(await page.textContent('#steps-heading')).toBe('שלבים');
    expect(await page.textContent('#train')).toBe('אימון');
    // The lesson is the file's own Hebrew one, its numbers and Latin words isolated left to right.
    expect(await page.textContent('#step-title')).toBe('רשת קונבולוציה');
    expect(await page.textContent('#lesson-text')).toMatch(/^התמונה שומרת על צורת \u206628x28\u2069: מסננים של \u20663x3\u2069/);
    expect(await page.textContent('button[data-step="10-conv-bn"]')).toContain('רשת קונבולוציה עם נרמול מנות');
    const box = async (selector: string) => (await page.locator(selector).boundingBox()) ?? { x: NaN, width: NaN };
    // The grid mirrors: the step list is now on the right of the code.
    const steps = await box('.steps');
    const code = await box('.code');
    expect(steps.x).toBeGreaterThan(code.x + code.width);
    const direction = (selector: string) => page.$eval(selector, (el) => getComputedStyle(el).direction);
    expect(await direction('body')).toBe('rtl');
    expect(await direction('#lesson-text')).toBe('rtl');
    expect(await direction('#editor .cm-content')).toBe('ltr');
    expect(await direction('#run-log')).toBe('ltr');
    expect(await direction('#setting-epochs')).toBe('ltr');
    // Numbers inside Hebrew sentences are isolated left to right.
    expect(await page.textContent('#step-status')).toMatch(new RegExp(`^שלב \u20668\u2069 מתוך \u2066${STEP_NAMES.length}\u2069 · `));
    await page.click('button[data-step="01-softmax"]');
    expect((await run(page)).status, await runError(page)).toBe('completed');
    expect(await page.textContent('#run-state')).toMatch(/^הסתיים תוך \u2066[\d.]+\u2069 שניות$/);
    expect(await page.textContent('#grid-caption')).toMatch(/^\u2066\d+\u2069 מתוך \u2066100\u2069 ספרות תיקוף/);
    expect(await page.textContent('#model-table thead')).toContain('דיוק תיקוף');
    // Step names stay left to right in the table, and the engine's detail is in Hebrew too.
    expect(await direction('#model-table tbody tr:first-child bdi')).toBe('ltr');
    expect(await page.textContent('#engine-detail')).toBe('SIMD, הדף אינו מבודד בין מקורות (cross-origin isolated): בנייה בתהליכון יחיד, תהליכונים: \u20661\u2069');
    await page.screenshot({ path: join(ARTIFACTS, 'lab-he.png'), fullPage: true });
    // The choice is kept for the next visit.
    const again = await open();
    expect(await again.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await again.selectOption('#language-select', 'en');
    await again.close();
    await page.close();
  });

  it('refuses run settings out of range before training, naming the setting', async () => {
    const page = await open('?engine=wasm&epochs=0');
    await page.click('#train');
    await page.waitForFunction(() => document.body.dataset.lastStatus === 'failed');
    expect(await runError(page)).toBe('Error: \u2066\u2066Epochs\u2069 must be a whole number from \u20661\u2069 to \u20661000\u2069; got \u20660\u2069\u2069');
    await page.close();
  });

  it('falls back to the fastest that works when the chosen engine does not start (Chromium without WebGPU)', async () => {
    const withoutWebgpu = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS.filter((flag) => flag !== '--enable-unsafe-webgpu') });
    try {
      const page = await withoutWebgpu.newPage();
      page.on('request', (request) => lab.requested.push(request.url()));
      await page.goto(`${lab.server.url}/index.html?engine=webgpu`);
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
    const app = await buildApp({ models: {}, siteDir: lab.site });
    try {
      const redirect = await app.inject({ url: '/lab' });
      expect([redirect.statusCode, redirect.headers.location]).toEqual([308, '/lab/']);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      origins.add(url);
      const page = await lab.context.newPage();
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
    const elsewhere = lab.requested.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && !origins.has(new URL(url).origin));
    expect(elsewhere).toEqual([]);
    // The worker's own requests (wasm binaries, data files, the font files) are among those seen.
    expect(lab.requested.some((url) => url.endsWith('/data/mnist/train-images-idx3-ubyte.gz'))).toBe(true);
    expect(lab.requested.some((url) => url.endsWith('.wasm'))).toBe(true);
    expect(lab.requested.some((url) => url.endsWith('/fonts/DejaVuSansMono-Oblique.ttf'))).toBe(true);
    expect(lab.pageErrors).toEqual([]);
  });
});
