// `mnist-lab compare <run>...`: the validation-accuracy curves of several runs in one chart, plus a metrics table.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { claimOutputPage } from '../run/claim.js';
import { runFiles } from '../run/layout.js';
import { readRun, requireRunFiles, type RunRecord } from '../run/reader.js';
import { badArgument } from '../errors.js';
import { compareChart } from '../viz/charts.js';
import { curveSeries } from '../viz/curve-data.js';
import { validationNote } from '../viz/validation-note.js';
import { escapeHtml, htmlPage, htmlTable, inlinePng, type Cell } from '../report/html.js';
import type { TextOut } from '../util/text-out.js';

export interface CompareCommandOptions {
  runDirs: string[];
  /** Where the text table goes (the CLI passes stdout). */
  out: TextOut;
  /** The HTML page; the chart is also written beside it as .png and .svg. */
  outFile: string;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
}

export interface CompareResult {
  html: string;
  png: string;
  svg: string;
  headers: string[];
  rows: Cell[][];
}

const HEADERS = ['run', 'step', 'test accuracy', 'pass bar', 'errors', 'test loss', 'epochs', 'seconds', 'images/s', 'engine', 'status'];

/** The run's name, linked to its report.html (relative to the compare page) when it has one. */
function runCell(name: string, runDir: string, pageDir: string): Cell {
  const report = runFiles(runDir).report;
  return existsSync(report) ? { text: name, href: relative(pageDir, report).split(sep).join('/') } : name;
}

function metricsRow(name: Cell, run: RunRecord): Cell[] {
  const m = run.metrics;
  return [
    name,
    run.config.step.name,
    m ? m.test_accuracy.toFixed(4) : null,
    run.config.about ? run.config.about.passBar.toFixed(3) : null,
    m?.errors,
    m ? m.test_loss.toFixed(4) : null,
    m?.epochs,
    m ? m.seconds.toFixed(1) : null,
    m ? Math.round(m.images_per_second) : null,
    m?.engine,
    m?.status,
  ];
}

/** Runs are named by folder; folders with the same name are told apart by their full path. */
function runNames(dirs: readonly string[]): string[] {
  const names = dirs.map((d) => basename(d));
  return names.map((n, i) => (names.indexOf(n) !== names.lastIndexOf(n) ? dirs[i] : n));
}

function textTable(headers: readonly string[], rows: readonly Cell[][]): string {
  const text = (c: Cell) => (c === null || c === undefined ? '-' : typeof c === 'object' ? c.text : String(c));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line([...headers]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(r.map(text)))].join('\n');
}

export async function compareCommand(options: CompareCommandOptions): Promise<CompareResult> {
  if (options.runDirs.length === 0) throw badArgument('runs', 'one or more run folders', options.runDirs, 'e.g. mnist-lab compare runs/01-softmax-* runs/10-conv-bn-*');
  const cwd = options.cwd ?? process.cwd();
  const dirs = options.runDirs.map((d) => resolve(cwd, d));
  for (const dir of dirs) requireRunFiles(dir, ['config', 'history', 'metrics'], 'compare');
  const runs = await Promise.all(dirs.map((d) => readRun(d, 'compare')));
  const names = runNames(dirs);
  const notes = new Set(runs.map((r) => validationNote(r.config)));
  const note = notes.size === 1 ? [...notes][0] : 'test set';
  const chart = compareChart(
    runs.map((run, i) => ({ name: names[i], valAccuracy: curveSeries(run.history).valAccuracy })),
    note,
  );
  const html = resolve(cwd, options.outFile);
  const rows = runs.map((run, i) => metricsRow(runCell(names[i], dirs[i], dirname(html)), run));

  const stem = html.replace(/\.html?$/i, '');
  const png = `${stem}.png`;
  const svg = `${stem}.svg`;
  await claimOutputPage(html, [png, svg], '--out');
  await writeFile(png, chart.png);
  await writeFile(svg, chart.svg);
  const title = `mnist-lab: ${runs.length} runs compared`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<figure>${inlinePng(chart.png, 'validation accuracy per epoch')}<figcaption>Validation accuracy at the end of each epoch (${escapeHtml(note)}).</figcaption></figure>`,
    htmlTable(HEADERS, rows),
  ];
  await writeFile(html, htmlPage(title, body.join('\n')));
  options.out.write(`${textTable(HEADERS, rows)}\n\ncompare: ${html} (chart: ${png}, ${svg})\n`);
  return { html, png, svg, headers: HEADERS, rows };
}
