// The run report and the compare command on hand-written run folders: self-contained HTML, RUN_INCOMPLETE, two runs.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/types.js';
import { LabError } from '../../src/errors.js';
import { compareCommand } from '../../src/commands/compare.js';
import { reportCommand } from '../../src/commands/report.js';
import { writeReport } from '../../src/report/run-report.js';
import { loadStep } from '../../src/runner/step-file.js';
import { runFiles } from '../../src/run/layout.js';
import { PICTURE_ORDER } from '../../src/viz/picture-catalogue.js';
import { tempDirs } from '../helpers/tmp.js';
import { decodePng } from '../helpers/png.js';
import { loadMnist, trainTinyModel, writeRun } from '../helpers/run-folders.js';

const newDir = tempDirs('report');

function captureOut() {
  let text = '';
  return { out: { write: (s: string) => (text += s) }, text: () => text };
}

/** Every src/href of the page: data URIs, or files that exist relative to the page. */
function referencedResources(html: string, page: string): { inline: number; missing: string[] } {
  const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]);
  const inline = refs.filter((r) => r.startsWith('data:')).length;
  const missing = refs.filter((r) => !r.startsWith('data:') && !existsSync(resolve(dirname(page), r)));
  return { inline, missing };
}

describe('report', () => {
  let dataset: Dataset;
  let model: tf.Sequential;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dataset = await loadMnist();
    model = await trainTinyModel(dataset, 10);
  });

  it('writes one self-contained page: every picture inlined, config, summary, metrics, the preset note', async () => {
    const runDir = await newDir();
    await writeRun(runDir, { preset: '10-conv-bn', epochs: 3, trainedEpochs: 3, model, metrics: true });
    const page = await writeReport(runDir, { dataset });
    expect(page).toBe(runFiles(runDir).report);
    const html = await readFile(page, 'utf8');
    const { inline, missing } = referencedResources(html, page);
    expect(missing).toEqual([]);
    expect(inline).toBe(PICTURE_ORDER.length);
    for (const [, b64] of html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)) {
      const p = await decodePng(Buffer.from(b64, 'base64'));
      expect(p.width).toBeGreaterThan(100);
    }
    const { about } = await loadStep('10-conv-bn', { cwd: process.cwd(), typecheck: false });
    expect(html).toContain(about!.lesson.slice(0, 40));
    expect(html).toContain('Total params');
    expect(html).toContain('7,850');
    expect(html).toContain('<td>batch size</td><td class="num">128</td>');
    expect(html).toContain('12.5 s');
    expect(html).not.toMatch(/<script/i);
  });

  it('refuses an incomplete run folder listing what is missing, with exit code 2', async () => {
    const runDir = await newDir();
    await writeRun(runDir, { preset: '01-softmax', epochs: 3, trainedEpochs: 1 });
    const { out } = captureOut();
    const error = await reportCommand({ runDir, out, dataset, cwd: process.cwd() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    const e = error as LabError;
    expect(e.code).toBe('RUN_INCOMPLETE');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(runFiles(runDir).metrics);
    expect(e.message).toContain(join(runFiles(runDir).model, 'model.json'));
    expect(e.message).not.toContain('config.json');
    expect(existsSync(runFiles(runDir).report)).toBe(false);
  });

  it('reportCommand re-renders the pictures and rewrites the page at --out', async () => {
    const runDir = await newDir();
    await writeRun(runDir, { preset: '05-lr-decay', epochs: 2, trainedEpochs: 2, model, metrics: true });
    await rm(runFiles(runDir).pictures, { recursive: true, force: true });
    const capture = captureOut();
    const path = await reportCommand({ runDir: '.', out: capture.out, outFile: 'elsewhere.html', cwd: runDir, dataset });
    expect(path).toBe(join(runDir, 'elsewhere.html'));
    expect(existsSync(join(runFiles(runDir).pictures, 'predictions.png'))).toBe(true);
    expect(capture.text()).toContain(`report: ${path}`);
  });
});

describe('compare', () => {
  it('overlays two runs in one chart and tabulates their metrics', async () => {
    const root = await newDir();
    const a = join(root, 'softmax');
    const b = join(root, 'bn');
    await writeRun(a, { preset: '01-softmax', epochs: 4, trainedEpochs: 4, metrics: true, quality: 0.92 });
    await writeRun(b, { preset: '10-conv-bn', epochs: 4, trainedEpochs: 4, metrics: true, quality: 0.99 });
    const capture = captureOut();
    const result = await compareCommand({ runDirs: ['softmax', 'bn'], out: capture.out, outFile: 'cmp/ladder.html', cwd: root });
    expect(result.html).toBe(join(root, 'cmp/ladder.html'));
    expect(result.png).toBe(join(root, 'cmp/ladder.png'));
    const png = await decodePng(await readFile(result.png));
    expect([png.width, png.height]).toEqual([2016, 504]); // 0.91 and 0.98 are far apart: a zoomed panel is added
    expect((await readFile(result.svg, 'utf8')).startsWith('<?xml')).toBe(true);
    expect(result.rows.map((r) => r.slice(0, 3))).toEqual([
      ['softmax', '01-softmax', (0.92 - 0.01).toFixed(4)],
      ['bn', '10-conv-bn', (0.99 - 0.01).toFixed(4)],
    ]);
    const html = await readFile(result.html, 'utf8');
    expect(referencedResources(html, result.html)).toEqual({ inline: 1, missing: [] });
    expect(html).toContain('<td>softmax</td>'); // no report.html yet: plain name
    const lines = capture.text().split('\n');
    expect(lines[0]).toMatch(/^run +step +test accuracy/);
    expect(lines[2]).toMatch(/^softmax +01-softmax +0\.9100/);
    expect(lines[3]).toMatch(/^bn +10-conv-bn +0\.9800/);
  });

  it('links each run to its report.html, relative to the page', async () => {
    const root = await newDir();
    await writeRun(join(root, 'runs', 'a'), { preset: '01-softmax', epochs: 2, trainedEpochs: 2, metrics: true });
    await writeFile(runFiles(join(root, 'runs', 'a')).report, '<html></html>');
    const result = await compareCommand({ runDirs: ['runs/a'], out: captureOut().out, outFile: 'pages/cmp.html', cwd: root });
    const html = await readFile(result.html, 'utf8');
    expect(html).toContain('<td><a href="../runs/a/report.html">a</a></td>');
    expect(referencedResources(html, result.html).missing).toEqual([]);
  });

  it('names missing metrics of any run', async () => {
    const root = await newDir();
    await writeRun(join(root, 'done'), { preset: '01-softmax', epochs: 1, trainedEpochs: 1, metrics: true });
    await writeRun(join(root, 'running'), { preset: '01-softmax', epochs: 3, trainedEpochs: 1 });
    const error = await compareCommand({ runDirs: ['done', 'running'], out: captureOut().out, outFile: 'x.html', cwd: root }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RUN_INCOMPLETE', exitCode: 2 });
    expect((error as LabError).message).toContain(join(root, 'running', 'metrics.json'));
  });
});
