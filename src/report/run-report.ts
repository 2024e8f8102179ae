// The run report: one self-contained HTML page (config, model summary, metrics, timings, every picture inlined).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../models/io.js';
import { summarize, type ModelSummary } from '../models/summary.js';
import { runFiles } from '../run/layout.js';
import { readRun, requireRunFiles, type RunRecord } from '../run/reader.js';
import { epochRecords } from '../viz/curve-data.js';
import { PICTURE_ORDER, PICTURES, type PictureKey } from '../viz/picture-catalogue.js';
import { renderRunPictures, type PictureOptions } from '../viz/pictures.js';
import { validationNote } from '../viz/validation-note.js';
import { escapeHtml, htmlPage, htmlTable, inlinePng, keyValueTable } from './html.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : null);

/** Font digits exist for MNIST only; weight bands for runs whose history records the weights (not older runs). */
function expectedPictures(inputs: RunRecord): PictureKey[] {
  const hasWeights = inputs.history.some((r) => r.type === 'weights');
  return PICTURE_ORDER.filter((key) => (key !== 'fontDigits' || inputs.config.dataset === 'mnist') && (key !== 'weights' || hasWeights));
}

function pictureFile(runDir: string, key: PictureKey): string {
  return join(runFiles(runDir).pictures, `${PICTURES[key].name}.png`);
}

async function modelSummary(runDir: string): Promise<ModelSummary> {
  const model = await loadModel(runFiles(runDir).model);
  try {
    return summarize(model);
  } finally {
    model.dispose();
  }
}

function summaryTable(summary: ModelSummary): string {
  const shape = (s: (number | null)[]) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
  return (
    htmlTable(
      ['Layer (type)', 'Output shape', 'Param #'],
      summary.rows.map((r) => [`${r.name} (${r.type})`, shape(r.outputShape), r.params]),
    ) +
    keyValueTable([
      ['Total params', summary.total.toLocaleString('en-US')],
      ['Trainable params', summary.trainable.toLocaleString('en-US')],
      ['Non-trainable params', summary.nonTrainable.toLocaleString('en-US')],
    ])
  );
}

function metricsSection(inputs: RunRecord): string {
  const { metrics, history } = inputs;
  const about = inputs.config.about;
  if (!metrics) return '<p>No metrics.json yet: training has not finished.</p>';
  const start = history.find((r) => r.type === 'start');
  const end = history.findLast((r) => r.type === 'end');
  return keyValueTable([
    [`test accuracy (${validationNote(inputs.config)})`, pct(metrics.test_accuracy)],
    ['pass bar', about ? `${pct(about.passBar)} (the codelab: "${about.codelab}")` : null],
    ['test loss', fixed(metrics.test_loss, 4)],
    ['errors', `${metrics.errors} of ${metrics.test_count}`],
    ['epochs', metrics.epochs],
    ['steps', metrics.steps],
    ['training time', `${metrics.seconds.toFixed(1)} s`],
    ['images per second', Math.round(metrics.images_per_second)],
    ['engine', metrics.engine],
    ['status', metrics.status],
    ['started', start?.type === 'start' ? start.time : null],
    ['ended', end?.type === 'end' ? end.time : null],
  ]);
}

/** What the lab file trained, from the run's (latest) start record: the engine and the recipe as fit saw it. */
function planSection(inputs: RunRecord): string {
  const start = inputs.history.findLast((r) => r.type === 'start');
  if (start?.type !== 'start') return '<p>Training has not started.</p>';
  return keyValueTable([
    ['lab file', inputs.config.step.file],
    ['engine', start.engine],
    ['epochs', start.epochs],
    ['steps per epoch', start.stepsPerEpoch],
    ['batch size', start.batchSize],
    ['optimizer', start.optimizer],
    ['loss', start.loss],
  ]);
}

function epochTable(inputs: RunRecord): string {
  return htmlTable(
    ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'learning rate', 'seconds'],
    epochRecords(inputs.history).map((e) => [
      e.epoch + 1,
      fixed(e.loss, 4),
      fixed(e.accuracy, 4),
      fixed(e.val_loss, 4),
      fixed(e.val_accuracy, 4),
      e.lr.toPrecision(4),
      fixed(e.seconds, 1),
    ]),
  );
}

async function picturesSection(inputs: RunRecord): Promise<string> {
  const figures = await Promise.all(
    expectedPictures(inputs).map(async (key) => {
      const png = await readFile(pictureFile(inputs.runDir, key));
      const entry = PICTURES[key];
      return `<figure>\n<h3>${escapeHtml(entry.title)}</h3>\n${inlinePng(png, entry.title)}\n<figcaption>${escapeHtml(entry.caption)}</figcaption>\n</figure>`;
    }),
  );
  return figures.join('\n');
}

/** The report's HTML for a complete run whose pictures exist. */
export async function buildReportHtml(inputs: RunRecord): Promise<string> {
  const { config } = inputs;
  const about = config.about;
  const title = `mnist-lab run ${config.step.name}${about ? `: ${about.title}` : ''}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>Run folder <code>${escapeHtml(inputs.runDir)}</code>. "Validation" is the ${escapeHtml(validationNote(config))}, as in the codelab.</p>`,
    about ? `<div class="note"><p>${escapeHtml(about.lesson)}</p></div>` : '',
    '<h2>Results</h2>',
    metricsSection(inputs),
    '<h2>Per epoch</h2>',
    epochTable(inputs),
    '<h2>Pictures</h2>',
    await picturesSection(inputs),
    '<h2>Model</h2>',
    summaryTable(await modelSummary(inputs.runDir)),
    '<h2>Training plan</h2>',
    planSection(inputs),
    '<h2>Configuration</h2>',
    keyValueTable(
      Object.entries(config)
        .filter(([k]) => k !== 'about')
        .map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string | number | null)]),
    ),
    about && about.choices.length ? `<h3>Choices where the codelab leaves values open</h3>\n<ul>${about.choices.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>` : '',
  ];
  return htmlPage(title, body.filter(Boolean).join('\n'));
}

export interface ReportOptions extends PictureOptions {
  /** Where to write the page (default: the run's report.html). */
  outFile?: string;
  /** Render every picture again even when they exist (they may be from an earlier epoch). */
  rerender?: boolean;
}

/**
 * Writes the run's report.html. A finished run is required (config, history, metrics, model; RUN_INCOMPLETE
 * lists what is missing); pictures are rendered first when asked or when any is missing. Returns the page's path.
 */
export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  requireRunFiles(runDir, ['config', 'history', 'metrics', 'model'], 'report');
  let inputs = await readRun(runDir, 'report');
  if (options.rerender || expectedPictures(inputs).some((key) => !existsSync(pictureFile(runDir, key)))) {
    await renderRunPictures(runDir, options);
    inputs = await readRun(runDir, 'report');
  }
  const outFile = options.outFile ?? runFiles(runDir).report;
  await writeFile(outFile, await buildReportHtml(inputs));
  return outFile;
}

