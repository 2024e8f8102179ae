// A lab step as the runner sees it: a ladder name or a file path, the file's source and checksum, its about and main.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { LabError } from '../errors.js';
import { checkRunValue } from '../run/parse.js';
import { StepInfoSchema, type ResolvedStepInfo } from '../run/schema.js';
import { isStepName, stepFile } from './catalogue.js';
import { importLabFile } from './lab-loader.js';
import { typecheckLabFile } from './typecheck.js';

export interface LabStep {
  /** The ladder step's name, or the user file's base name without its extension. */
  name: string;
  /** Absolute path of the lab file. */
  file: string;
  /** One of mnist-lab's own lab files (lab/). */
  builtin: boolean;
  /** SHA-256 of the file's source. */
  sha256: string;
  /** What the file says about itself (`export const about`), null when it says nothing. */
  about: ResolvedStepInfo | null;
  /** The file's default export: the notebook's cells, top to bottom. */
  main: () => Promise<unknown>;
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Where an argument points: a step name (`10-conv-bn`) or a path to a lab file. */
export function resolveStepFile(arg: string, cwd: string): { file: string; builtin: boolean } {
  if (isStepName(arg)) return { file: stepFile(arg), builtin: true };
  if (!EXTENSIONS.includes(extname(arg))) {
    // Not a file name: say which steps exist (stepFile throws UNKNOWN_PRESET listing them).
    stepFile(arg);
  }
  return { file: resolve(cwd, arg), builtin: false };
}

/**
 * Where in `file` an error points, as "file:line:column": the first frame of its stack in the file, or the place a
 * compiler's message names ("file:6:42: ERROR: …", as esbuild reports a syntax error).
 */
export function lineIn(file: string, error: unknown): string | null {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : '';
  for (const line of text.split('\n')) {
    const at = line.indexOf(file);
    if (at < 0) continue;
    const position = /^:(\d+):(\d+)/.exec(line.slice(at + file.length));
    if (position) return `${file}:${position[1]}:${position[2]}`;
  }
  return null;
}

/**
 * Reads, checks and imports a lab file. A user's file is type-checked first (unless `typecheck` is false); a file
 * that does not import, has no default-exported function or an `about` that breaks its schema is BAD_LAB_FILE
 * naming the file, and the line where there is one.
 */
export async function loadStep(arg: string, options: { cwd: string; typecheck: boolean }): Promise<LabStep> {
  const { file, builtin } = resolveStepFile(arg, options.cwd);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    throw new LabError('BAD_LAB_FILE', `lab file ${file} does not exist`, {
      hint: 'pass a step name (`mnist-lab models` lists them) or the path of a lab file, e.g. a copy of lab/10-conv-bn.ts',
    });
  }
  const source = await readFile(file, 'utf8');
  if (!builtin && options.typecheck && /\.m?ts$/.test(file)) await typecheckLabFile(file);
  let module: Record<string, unknown>;
  try {
    module = await importLabFile(file);
  } catch (cause) {
    const where = lineIn(file, cause) ?? file;
    const message = ((cause as Error).message ?? String(cause)).split('\n').filter((l) => l.trim() && !/^Transform failed/.test(l));
    throw new LabError('BAD_LAB_FILE', `${where}: the lab file failed to load: ${message.slice(0, 4).join('\n  ')}`, {
      hint: 'fix the file; it must import only mnist-lab and @tensorflow/tfjs (and files of its own)',
      cause,
    });
  }
  const main = module['default'];
  if (typeof main !== 'function') {
    throw new LabError('BAD_LAB_FILE', `${file} has no default export function (found ${typeof main})`, {
      hint: 'write the notebook cells in `export default async function main() { … }`, as the lab files do',
    });
  }
  const about = module['about'] === undefined ? null : checkRunValue(StepInfoSchema, module['about'], `${file}: export const about`);
  const name = builtin ? arg : basename(file, extname(file));
  return { name, file, builtin, sha256: createHash('sha256').update(source).digest('hex'), about, main: main as () => Promise<unknown> };
}

/** Why a lab file's run failed, pointing at the file's line when the error came from it. */
export function runFailure(step: LabStep, error: unknown): LabError {
  const where = lineIn(step.file, error) ?? step.file;
  if (error instanceof LabError) {
    // The API's refusals (a model the digits do not fit, a loss that does not match…) say where the file called it.
    if (error.code !== 'BAD_LAB_FILE' || error.message.includes(step.file)) return error;
    return new LabError('BAD_LAB_FILE', `${where}: ${error.message}`, { hint: error.hint, cause: error });
  }
  return new LabError('BAD_LAB_FILE', `${where}: ${(error as Error)?.message ?? String(error)}`, {
    hint: 'the lab file threw this; fix the line named, or run the unchanged step to compare',
    cause: error,
  });
}
