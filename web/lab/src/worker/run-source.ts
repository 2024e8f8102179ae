// Evaluates a lab file's JavaScript (CommonJS, from the page's sucrase step) against a module map, and finds error lines.
import type { ErrorReport } from '../protocol.js';

/** The modules a lab file may import, by specifier. */
export type ModuleMap = Readonly<Record<string, unknown>>;

/** Where the learner's code logs to: the page's log panel. */
export type LabConsole = Pick<Console, 'log' | 'info' | 'warn' | 'error'>;

/** Opens the function the module body runs in, on the body's first line. */
const WRAPPER = '(function (require, exports, module, console) {';

/**
 * Runs the module body and returns its exports. The wrapper opens on the code's first line, so the line numbers
 * in stack traces are the learner's own; `//# sourceURL` names the frames after the lab file.
 */
export function evaluateModule(source: string, file: string, modules: ModuleMap, console: LabConsole): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  const module = { exports };
  const require = (specifier: string): unknown => {
    if (!(specifier in modules)) {
      throw new Error(`cannot import "${specifier}": a lab file may import ${Object.keys(modules).map((m) => `"${m}"`).join(' and ')}`);
    }
    return modules[specifier];
  };
  const body = `${WRAPPER}${source}\n})\n//# sourceURL=${file}`;
  // Indirect eval: the code sees only globals and the four names above, never this module's scope.
  const run = (0, eval)(body) as (...args: unknown[]) => void;
  run(require, exports, module, console);
  return module.exports;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The error as the page shows it, with the line and column of the first stack frame in `file` when given. */
export function describeError(error: unknown, file?: string): ErrorReport {
  if (!(error instanceof Error)) return { message: String(error) };
  const report: ErrorReport = { message: error.message || error.name };
  const { code, hint } = error as { code?: unknown; hint?: unknown };
  if (typeof code === 'string') report.code = code;
  if (typeof hint === 'string') report.hint = hint;
  const frame = file ? new RegExp(`${escape(file)}:(\\d+):(\\d+)`).exec(error.stack ?? '') : null;
  if (frame !== null) {
    report.line = Number(frame[1]);
    report.column = Number(frame[2]) - (report.line === 1 ? WRAPPER.length : 0);
  }
  return report;
}
