// The web UI in real Chromium: drawing digits on the pad (page and server agree) and watching a training live.
import type { FastifyInstance } from 'fastify';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/models/io.js';
import { mnistify } from '../../src/predict/mnistify.js';
import { predictImages } from '../../src/predict/predict.js';
import { buildApp } from '../../src/server/app.js';
import type { HistoryRecord } from '../../src/run/schema.js';
import { trainFixtureModel, type Fixture } from '../helpers/trained-model.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/web');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

/** A 4×4 grey PNG standing in for the CLI's prediction grid. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAAAAACMmsGiAAAADklEQVR4nGNoAAIGVAIAUBQIAXAlrj8AAAAASUVORK5CYII=';

/** A fake `mnist-lab train`: writes a 2-epoch history a record every 80 ms, as a real run would. */
function fakeCli(): string {
  const records: HistoryRecord[] = [
    { type: 'start', time: new Date().toISOString(), step: '01-softmax', epochs: 2, stepsPerEpoch: 8, batchSize: 128, engine: 'tfjs-wasm', initialEpoch: 0, optimizer: '', loss: '', lr: [], zoom: 1, xTitle: 'epochs' },
  ];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let step = 0; step < 8; step++) {
      const t = epoch * 8 + step;
      records.push({ type: 'batch', epoch, step, globalStep: t, loss: 2.3 * Math.exp(-t / 5) + 0.2, accuracy: 0.95 - 0.85 * Math.exp(-t / 4), lr: 0.01 * 0.6 ** epoch });
    }
    records.push({ type: 'epoch', epoch, loss: 0.9 - 0.5 * epoch, accuracy: 0.8 + 0.1 * epoch, val_loss: 0.7 - 0.35 * epoch, val_accuracy: 0.85 + 0.06 * epoch, lr: 0.01 * 0.6 ** epoch, seconds: 1 });
  }
  records.push({ type: 'end', time: new Date().toISOString(), status: 'completed' });
  return `
const fs = require('node:fs');
const records = ${JSON.stringify(records)};
const picture = Buffer.from(${JSON.stringify(TINY_PNG)}, 'base64');
function writeRun(out, preset, done) {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(out + '/config.json', JSON.stringify({ preset }));
  let i = 0;
  const timer = setInterval(() => {
    const record = { ...records[i++], ...(i === 1 ? { step: preset } : {}) };
    // Like the CLI's epoch-end pictures: a prediction grid appears before the epoch record.
    if (record.type === 'epoch') {
      fs.mkdirSync(out + '/pictures', { recursive: true });
      fs.writeFileSync(out + '/pictures/predictions.png', picture);
    }
    fs.appendFileSync(out + '/history.jsonl', JSON.stringify(record) + '\\n');
    if (i === records.length) {
      clearInterval(timer);
      done();
    }
  }, 80);
}
// train <preset> --out DIR …, or lab --out DIR …: the ladder's two steps here, one after the other.
if (process.argv[1] === 'lab') {
  const lab = process.argv[3];
  writeRun(lab + '/01-softmax', '01-softmax', () => writeRun(lab + '/03-relu-adam', '03-relu-adam', () => {}));
} else {
  writeRun(process.argv[4], process.argv[2], () => {});
}
`;
}

describe.skipIf(!hasChromium)('web UI in Chromium', () => {
  let dir: string;
  let fixture: Fixture;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mnist-lab-web-'));
    await mkdir(ARTIFACTS, { recursive: true });
    const webDir = join(dir, 'web');
    await build({ configFile: join(import.meta.dirname, '../../web/vite.config.ts'), build: { outDir: webDir }, logLevel: 'warn' });
    fixture = await trainFixtureModel(join(dir, 'model'));
    await mkdir(join(dir, 'runs'));
    app = await buildApp({
      models: { mnist: join(dir, 'model') },
      runsDir: join(dir, 'runs'),
      webDir,
      presets: [
        { name: '01-softmax', title: 'Softmax', explain: 'One dense layer.' },
        { name: '03-relu-adam', title: 'Relu' },
      ],
      trainCommand: [process.execPath, '-e', fakeCli()],
      limits: { pollMs: 50 },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Draws polylines on the pad with the mouse, in the pad's own 280×280 coordinates. */
  async function draw(strokes: [number, number][][]): Promise<void> {
    const box = await page.locator('#pad-canvas').boundingBox();
    if (box === null) throw new Error('the pad is not visible');
    for (const stroke of strokes) {
      await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
      await page.mouse.down();
      for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 12 });
      await page.mouse.up();
    }
  }

  async function padState() {
    return page.evaluate(() => {
      const canvas = document.getElementById('pad-canvas') as HTMLCanvasElement;
      const rgba = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, 280, 280).data;
      const label = document.getElementById('pad-prediction') as HTMLElement;
      const agreement = document.getElementById('pad-agreement') as HTMLElement;
      return {
        red: Array.from(rgba.filter((_, i) => i % 4 === 0)),
        class: label.dataset.class,
        source: label.dataset.source,
        probabilities: JSON.parse(label.dataset.probabilities ?? '[]') as number[],
        pageClass: agreement.dataset.pageClass,
        maxDifference: Number(agreement.dataset.maxDifference),
      };
    });
  }

  const DIGITS: { digit: number; strokes: [number, number][][] }[] = [
    { digit: 1, strokes: [[[150, 40], [145, 140], [140, 240]]] },
    { digit: 7, strokes: [[[70, 55], [210, 50], [170, 130], [125, 240]]] },
    { digit: 0, strokes: [[[140, 40], [80, 80], [70, 160], [100, 230], [170, 235], [210, 160], [200, 80], [140, 40]]] },
  ];

  it('reads drawn digits the same in the page and through the server, and right', async () => {
    await page.goto(`${url}/#pad`);
    await page.waitForSelector('body[data-pad-ready]', { timeout: 30_000 });
    for (const { digit, strokes } of DIGITS) {
      await page.click('#pad-clear');
      await page.setChecked('#pad-server', false);
      await draw(strokes);
      await page.waitForFunction(() => document.getElementById('pad-prediction')?.dataset.source === 'page');
      const inPage = await padState();
      // The page's preprocessing and the model agree with the same steps run here in Node.
      const image = mnistify(Float32Array.from(inPage.red, (v) => v / 255), 280, 280);
      const expected = predictImages(fixture.model, image, 1).probabilities[0];
      inPage.probabilities.forEach((p, k) => expect(p).toBeCloseTo(expected[k], 4));

      await page.setChecked('#pad-server', true);
      await page.waitForFunction(() => document.getElementById('pad-prediction')?.dataset.source === 'server');
      const viaServer = await padState();
      await page.screenshot({ path: join(ARTIFACTS, `pad-${digit}.png`), fullPage: true });
      expect(viaServer.class).toBe(inPage.class);
      expect(viaServer.pageClass).toBe(inPage.class);
      expect(viaServer.maxDifference).toBeLessThan(1e-4);
      expect(Number(inPage.class), `drawn ${digit}, probabilities ${inPage.probabilities.map((p) => p.toFixed(2))}`).toBe(digit);
    }
    expect(pageErrors).toEqual([]);
  });

  it('starts a training from the dashboard and draws its curves live', async () => {
    await page.goto(`${url}/#dashboard`);
    await page.waitForSelector('body[data-dashboard-ready]', { timeout: 30_000 });
    await page.selectOption('#start-preset', '01-softmax');
    expect(await page.textContent('#preset-explain')).toBe('One dense layer.');
    await page.fill('#start-steps', '8');
    await page.click('#start-form button[type=submit]');
    // Mid-run: some records are in and the status says running.
    await page.waitForFunction(() => Number(document.getElementById('loss-chart')?.dataset.records ?? 0) >= 5, null, { timeout: 20_000 });
    expect(await page.textContent('#run-status')).toBe('running');
    // The epoch-end pictures of the run show up while it trains.
    await page.waitForSelector('#run-pictures img[alt="predictions.png"]', { timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live.png'), fullPage: true });
    await page.waitForFunction(() => document.getElementById('run-status')?.textContent === 'completed', null, { timeout: 20_000 });
    expect(Number(await page.getAttribute('#loss-chart', 'data-records'))).toBe(20);
    expect(await page.textContent('#epoch-text')).toBe('epoch 2/2');
    expect(await page.textContent('#val-text')).toContain('91.00%');
    await page.waitForSelector('#run-list li.selected .status.completed');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-done.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
  it('attaches to a training started elsewhere and follows it to the end', async () => {
    const runDir = join(dir, 'runs', 'external-run');
    await mkdir(runDir);
    const history = join(runDir, 'history.jsonl');
    const line = (record: HistoryRecord) => `${JSON.stringify(record)}\n`;
    await writeFile(join(runDir, 'config.json'), JSON.stringify({ preset: '03-relu-adam' }));
    // The liveness marker a training leaves: this test process plays the training started elsewhere.
    await writeFile(join(runDir, 'process.json'), JSON.stringify({ pid: process.pid, hostname: hostname(), started: '2026-11-30T00:00:00.000Z' }));
    await writeFile(
      history,
      line({ type: 'start', time: '2026-11-30T00:00:00.000Z', step: '03-relu-adam', epochs: 1, stepsPerEpoch: 4, batchSize: 128, engine: 'tfjs-wasm', initialEpoch: 0, optimizer: '', loss: '', lr: [], zoom: 10, xTitle: 'epochs' }) +
        line({ type: 'batch', epoch: 0, step: 0, globalStep: 0, loss: 2.2, accuracy: 0.2, lr: 0.001 }),
    );
    await page.goto(`${url}/#dashboard`);
    await page.waitForSelector('body[data-dashboard-ready]', { timeout: 30_000 });
    await page.click('#run-list li[data-id="external-run"]');
    await page.waitForFunction(() => document.getElementById('loss-chart')?.dataset.records === '2');
    expect(await page.textContent('#run-status')).toBe('running');
    await appendFile(history, line({ type: 'batch', epoch: 0, step: 3, globalStep: 3, loss: 0.6, accuracy: 0.8, lr: 0.001 }));
    await appendFile(history, line({ type: 'epoch', epoch: 0, loss: 0.9, accuracy: 0.7, val_loss: 0.5, val_accuracy: 0.88, lr: 0.001, seconds: 2 }));
    await appendFile(history, line({ type: 'end', time: '2026-11-30T00:00:03.000Z', status: 'completed' }));
    await page.waitForFunction(() => document.getElementById('run-status')?.textContent === 'completed', null, { timeout: 20_000 });
    expect(await page.getAttribute('#loss-chart', 'data-records')).toBe('5');
    expect(await page.textContent('#val-text')).toContain('88.00%');
    // The preset's zoom 10 would hide a validation loss of 0.5, so the live chart falls back to zoom 1, as curves.png does.
    // The ranges are set when the charts redraw, a frame or more after the records are counted.
    await expect.poll(() => page.getAttribute('#loss-chart', 'data-y-range'), { timeout: 10_000 }).toBe('0,1.2');
    await expect.poll(() => page.getAttribute('#accuracy-chart', 'data-y-range'), { timeout: 10_000 }).toBe('0.5,1.05');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-attached.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows a run whose process dies without an end record as failed, and stops following it', async () => {
    const runDir = join(dir, 'runs', 'dying-run');
    await mkdir(runDir);
    const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    await writeFile(join(runDir, 'config.json'), JSON.stringify({ preset: '03-relu-adam' }));
    await writeFile(join(runDir, 'process.json'), JSON.stringify({ pid: writer.pid, hostname: hostname(), started: '2026-11-30T00:00:00.000Z' }));
    await writeFile(
      join(runDir, 'history.jsonl'),
      `${JSON.stringify({ type: 'start', time: '2026-11-30T00:00:00.000Z', preset: '03-relu-adam', epochs: 1, stepsPerEpoch: 4, batchSize: 128, backend: 'wasm', initialEpoch: 0 })}\n`,
    );
    await page.goto(`${url}/#dashboard`);
    await page.waitForSelector('body[data-dashboard-ready]', { timeout: 30_000 });
    await page.click('#run-list li[data-id="dying-run"]');
    await page.waitForFunction(() => document.getElementById('loss-chart')?.dataset.records === '1');
    expect(await page.textContent('#run-status')).toBe('running');
    writer.kill('SIGKILL');
    await page.waitForFunction(() => document.getElementById('run-status')?.textContent === 'failed', null, { timeout: 20_000 });
    await page.waitForSelector('#run-list li[data-id="dying-run"] .status.failed', { timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-failed.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('trains the whole ladder from the dashboard, following each step as it starts', async () => {
    await page.goto(`${url}/#dashboard`);
    await page.waitForSelector('body[data-dashboard-ready]', { timeout: 30_000 });
    await page.fill('#start-steps', '8');
    await page.click('#start-lab');
    // The first step is selected when it starts, the second one after the first ends.
    await page.waitForFunction(() => /01-softmax · \S+-lab\/01-softmax/.test(document.getElementById('run-title')?.textContent ?? ''), null, { timeout: 20_000 });
    await page.waitForFunction(() => /03-relu-adam · \S+-lab\/03-relu-adam/.test(document.getElementById('run-title')?.textContent ?? ''), null, { timeout: 20_000 });
    await page.waitForFunction(() => document.getElementById('run-status')?.textContent === 'completed', null, { timeout: 20_000 });
    expect(Number(await page.getAttribute('#loss-chart', 'data-records'))).toBe(20);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-lab.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('draws with a finished run of a lab picked on the dashboard', async () => {
    const runDir = join(dir, 'runs', 'lab-7', '03-relu-adam');
    await saveModel(fixture.model, join(runDir, 'model'));
    const time = '2026-11-29T00:00:00.000Z';
    await writeFile(
      join(runDir, 'history.jsonl'),
      [
        { type: 'start', time, preset: '03-relu-adam', epochs: 1, stepsPerEpoch: 1, batchSize: 128, backend: 'wasm', initialEpoch: 0 },
        { type: 'end', time, status: 'completed' },
      ]
        .map((record) => `${JSON.stringify(record)}\n`)
        .join(''),
    );
    await page.goto(`${url}/#dashboard`);
    await page.waitForSelector('body[data-dashboard-ready]', { timeout: 30_000 });
    await page.click('#run-list li[data-id="lab-7/03-relu-adam"]');
    await page.click('#run-draw');
    await page.waitForSelector('body[data-pad-model="lab-7.03-relu-adam"]', { timeout: 30_000 });
    expect(await page.inputValue('#pad-model')).toBe('lab-7.03-relu-adam');
    await page.click('#pad-clear');
    await page.setChecked('#pad-server', false);
    await draw(DIGITS[0].strokes);
    await page.waitForFunction(() => document.getElementById('pad-prediction')?.dataset.source === 'page');
    expect((await padState()).class).toBe('1');
    await page.screenshot({ path: join(ARTIFACTS, 'pad-from-run.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
