// The static lab for browser tests: the site built with the real data beside it, headless Chromium, and the page's controls.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildSite } from '../../web/lab/build-site.js';
import { traceMainThread, type MainThreadTask } from './main-thread.js';
import { MNIST_DIR } from './paths.js';
import { serveStatic, type StaticServer } from './static-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Screenshots, kept for people to look at (not committed). */
export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/web');

/**
 * --enable-unsafe-webgpu: Chromium offers WebGPU on its SwiftShader adapter only with it. WebGL 2 runs on
 * SwiftShader (ANGLE over Vulkan) without any flag, even with --disable-gpu.
 */
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-unsafe-webgpu'];

/** 01-softmax shortened as `--epochs 2 --steps 10 --limit 1280 --val-limit 100` would: 20 steps of 128 digits. */
export const SHORT_SOFTMAX = 'epochs=2&steps=10&limit=1280&val-limit=100';

export interface LabSite {
  /** The temporary folder holding the site (and anything a test adds). */
  dir: string;
  site: string;
  datasets: string[];
  server: StaticServer;
  browser: Browser;
  context: BrowserContext;
  /** Every URL the context's pages and workers asked for. */
  requested: string[];
  /** Uncaught errors of the pages and workers. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Builds the site as the CLI finds the data (MNIST through MNIST_DATA), serves it on loopback and opens Chromium. */
export async function openLabSite(prepare: (site: string) => Promise<void> = async () => {}): Promise<LabSite> {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-lab-site-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const built = await buildSite({ outDir: join(dir, 'site'), env: { MNIST_DATA: MNIST_DIR, HOME: dir }, log: () => {} });
  await prepare(built.outDir);
  const server = await serveStatic(built.outDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const requested: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  context.on('weberror', (error) => pageErrors.push(error.error().message));
  return {
    dir,
    site: built.outDir,
    datasets: built.datasets,
    server,
    browser,
    context,
    requested,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the lab at `url` (the page and its query) and waits for its engines. */
export async function openLab(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== 'starting', null, { timeout: 60_000 });
  return page;
}

/** Replaces the editor's text as typing would (select all, insert). */
export async function setCode(page: Page, code: string): Promise<void> {
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
}

/** Fills the run settings as the page's parameters would (`steps` is --steps, `val-limit` --val-limit…). */
export async function setSettings(page: Page, settings: Record<string, string>): Promise<void> {
  await page.evaluate(() => ((document.getElementById('run-settings') as HTMLDetailsElement).open = true));
  for (const [name, value] of Object.entries(settings)) await page.fill(`#setting-${name}`, value);
}

/**
 * Presses `button` (Train, or Check the engines) and waits for the run's end; returns its status and, with `trace`,
 * the main thread's tasks while it trained (from the worker's "running" on: the page's start is not training).
 */
export async function runLab(
  browser: Browser,
  page: Page,
  options: { trace?: boolean; button?: string } = {},
): Promise<{ status: string; tasks: MainThreadTask[] }> {
  await page.evaluate(() => {
    delete document.body.dataset.lastStatus;
    new MutationObserver((_, observer) => {
      if (document.body.dataset.state !== 'running') return;
      performance.mark('training-started');
      observer.disconnect();
    }).observe(document.body, { attributeFilter: ['data-state'] });
  });
  const stopTrace = options.trace ? await traceMainThread(browser, page, 'training-started') : null;
  await page.click(options.button ?? '#train');
  await page.waitForFunction(() => document.body.dataset.lastStatus !== undefined, null, { timeout: 400_000 });
  const status = (await page.evaluate(() => document.body.dataset.lastStatus)) as string;
  return { status, tasks: stopTrace ? await stopTrace() : [] };
}

/** A comma-separated list of numbers the page keeps in an attribute. */
export const numbers = async (page: Page, selector: string, attribute: string): Promise<number[]> =>
  ((await page.getAttribute(selector, attribute)) ?? '').split(',').filter(Boolean).map(Number);

export const runError = async (page: Page): Promise<string> => (await page.textContent('#run-error')) ?? '';

/** Falling loss (the last epoch's mean below the first's, validation too) and a flat tensor count over the batches. */
export async function expectLearning(page: Page, what: string): Promise<void> {
  const epochs = await numbers(page, '#loss-chart', 'data-epoch-losses');
  const validation = await numbers(page, '#loss-chart', 'data-val-losses');
  expect(epochs.length, `${what}: epochs`).toBeGreaterThanOrEqual(2);
  expect(epochs.at(-1), `${what}: training loss per epoch ${epochs}`).toBeLessThan(epochs[0]);
  expect(validation.at(-1), `${what}: validation loss per epoch ${validation}`).toBeLessThan(validation[0]);
  const counts = await numbers(page, '#tensor-text', 'data-counts');
  expect(counts.length, `${what}: batch samples`).toBeGreaterThanOrEqual(2);
  expect(new Set(counts).size, `${what}: tensors after each sampled batch ${counts}`).toBe(1);
}

/** The main thread kept working while the page trained, and none of its tasks held it for 100 ms of CPU. */
export function expectNoFreeze(tasks: MainThreadTask[], what: string): void {
  expect(tasks.length, `${what}: main-thread tasks traced while training`).toBeGreaterThan(10);
  expect(tasks.filter((t) => t.cpu > 100), `${what}: main-thread tasks over 100 ms of CPU while training`).toEqual([]);
}
