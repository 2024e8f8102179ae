// `mnist-lab report <run>`: renders every picture of a run again and rewrites its self-contained report.
import { resolve } from 'node:path';
import { initBackend } from '../engine/backend.js';
import { claimOutputPage } from '../run/claim.js';
import { writeReport } from '../report/run-report.js';
import type { PictureOptions } from '../viz/pictures.js';
import type { TextOut } from '../util/text-out.js';

export interface ReportCommandOptions extends PictureOptions {
  runDir: string;
  /** Where progress lines go (the CLI passes stdout). */
  out: TextOut;
  /** Write the page here instead of <run>/report.html (refused if it is a file mnist-lab did not write). */
  outFile?: string;
  /** Base for relative paths. */
  cwd: string;
}

export async function reportCommand(options: ReportCommandOptions): Promise<string> {
  await initBackend({ backend: 'auto' });
  const runDir = resolve(options.cwd, options.runDir);
  const outFile = options.outFile === undefined ? undefined : resolve(options.cwd, options.outFile);
  if (outFile !== undefined) await claimOutputPage(outFile, [], '--out');
  const path = await writeReport(runDir, { ...options, outFile, rerender: true });
  options.out.write(`report: ${path}\n`);
  return path;
}
