// The page's TypeScript → JavaScript step: sucrase strips the types and turns imports into require(), keeping every line.
import type { ErrorReport } from './protocol.js';

/** A lab file's JavaScript for the worker, or the syntax error with its line and column (1-based). */
export type Transformed = { ok: true; code: string } | { ok: false; error: ErrorReport };

/** sucrase, loaded once the page is idle (not at start, and not in the task the first Train runs). */
const loadSucrase = (): Promise<typeof import('sucrase')> => import('sucrase');

export function preloadTransform(): void {
  requestIdleCallback(() => void loadSucrase());
}

export async function transformLabFile(source: string, file: string): Promise<Transformed> {
  const { transform } = await loadSucrase();
  try {
    const { code } = transform(source, { transforms: ['typescript', 'imports'], filePath: file, production: true });
    return { ok: true, code };
  } catch (error) {
    const { message, loc } = error as Error & { loc?: { line: number; column: number } };
    // sucrase wraps its messages as "Error transforming <file>: … (line:column)", both 1-based; the page shows
    // the file and position on its own.
    const text = message.replace(`Error transforming ${file}: `, '').replace(/\s*\(\d+:\d+\)$/, '');
    return { ok: false, error: { code: 'SYNTAX_ERROR', message: text, line: loc?.line, column: loc?.column } };
  }
}
