// `npm run build:site`: the static lab built by Vite into web/dist-site, with each dataset's four .gz files in data/<dataset>/
// and the pictures' typefaces in fonts/.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'vite';
import { DATASETS, FILE_ROLES } from '../../src/data/datasets.js';
import { findDataFile, locateDataDir, type Env } from '../../src/data/locate.js';
import type { DatasetName } from '../../src/data/types.js';
import { LabError } from '../../src/errors.js';
import { STEP_NAMES } from '../../src/runner/catalogue.js';
import { loadStep } from '../../src/runner/step-file.js';
import { fontFaces, fontFileName } from '../../src/viz/font-faces.js';
import { ensureFont } from '../../src/viz/fonts.js';

export const DEFAULT_SITE_DIR = fileURLToPath(new URL('../dist-site', import.meta.url));

export interface BuildSiteOptions {
  outDir?: string;
  /** The data folder, as the CLI's --data-dir; otherwise found the way the CLI finds it (MNIST_DATA, the cache…). */
  dataDir?: string;
  env?: Env;
  log?: (line: string) => void;
}

/** Copies `dataset`'s four files into `<outDir>/data/<dataset>/` as .gz (a raw file is gzipped on the way). */
async function copyDataset(dataset: DatasetName, from: string, outDir: string): Promise<void> {
  const to = join(outDir, 'data', dataset);
  await mkdir(to, { recursive: true });
  for (const role of FILE_ROLES) {
    const { name } = DATASETS[dataset].files[role];
    const path = findDataFile(from, name) as string; // locateDataDir found all four
    const bytes = await readFile(path);
    // Written anew rather than copied, so a read-only source (a shared data folder) gives an ordinary file.
    await writeFile(join(to, `${name}.gz`), path.endsWith('.gz') ? bytes : gzipSync(bytes));
  }
}

/** `virtual:lab-steps`: each shipped step's `about`, read from its lab file as `mnist-lab models` reads it. */
async function labStepsPlugin(): Promise<Plugin> {
  const steps: { id: string; about: unknown }[] = [];
  for (const id of STEP_NAMES) steps.push({ id, about: (await loadStep(id, { cwd: process.cwd(), typecheck: false })).about });
  const id = 'virtual:lab-steps';
  return {
    name: 'mnist-lab-steps',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load: (resolved) => (resolved === `\0${id}` ? `export default ${JSON.stringify(steps)};` : null),
  };
}

/** Copies the pictures' typefaces (Debian's files; FONT_MISSING names the package when one is absent) into fonts/. */
async function copyFonts(outDir: string): Promise<void> {
  await mkdir(join(outDir, 'fonts'), { recursive: true });
  for (const face of Object.values(fontFaces)) {
    ensureFont(face);
    await copyFile(face.file, join(outDir, 'fonts', fontFileName(face)));
  }
}

/**
 * Builds the site. MNIST must be found (the lab trains on it); Fashion-MNIST is copied when present. Returns the
 * output folder and the datasets it holds.
 */
export async function buildSite(options: BuildSiteOptions = {}): Promise<{ outDir: string; datasets: DatasetName[] }> {
  const outDir = resolve(options.outDir ?? DEFAULT_SITE_DIR);
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const mnist = locateDataDir({ dataDir: options.dataDir, env, dataset: 'mnist' });
  await build({
    configFile: fileURLToPath(new URL('vite.config.ts', import.meta.url)),
    build: { outDir, emptyOutDir: true },
    plugins: [await labStepsPlugin()],
    logLevel: 'warn',
  });
  await copyFonts(outDir);
  await copyDataset('mnist', mnist, outDir);
  const datasets: DatasetName[] = ['mnist'];
  log(`site: ${outDir} (mnist from ${mnist})`);
  try {
    const fashion = locateDataDir({ dataDir: options.dataDir, env, dataset: 'fashion' });
    await copyDataset('fashion', fashion, outDir);
    datasets.push('fashion');
    log(`  fashion from ${fashion}`);
  } catch (error) {
    if (!(error instanceof LabError && error.code === 'DATA_NOT_FOUND')) throw error;
    log('  no Fashion-MNIST found: the site offers MNIST only (`mnist-lab data fetch --dataset fashion` adds it)');
  }
  return { outDir, datasets };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'data-dir': { type: 'string' } } });
  try {
    await buildSite({ outDir: values.out, dataDir: values['data-dir'] });
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    console.error(`error: ${error.describe()}`);
    process.exitCode = error.exitCode;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
