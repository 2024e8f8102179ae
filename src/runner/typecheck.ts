// Type-checks a user's lab file against mnist-lab's published API before it runs, naming each error's line.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.js';

const SHOWN = 5;

/** Where the API's types are: the compiled declarations (dist/index.d.ts) or, from the source tree, src/index.ts. */
function apiTypes(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const ext = extname(fileURLToPath(import.meta.url));
  const candidate = join(here, '..', ext === '.js' ? 'index.d.ts' : 'index.ts');
  if (!existsSync(candidate)) {
    throw new LabError('NATIVE_FAILURE', `mnist-lab's API types are missing (${candidate})`, { hint: 'run `npm run build`, or pass --no-typecheck' });
  }
  return candidate;
}

/** Throws BAD_LAB_FILE listing the first type errors (file:line:column and message) when `file` does not type-check. */
export async function typecheckLabFile(file: string): Promise<void> {
  const ts = (await import('typescript')).default;
  const options: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    allowImportingTsExtensions: true,
    baseUrl: dirname(file),
    paths: {
      'mnist-lab': [apiTypes()],
      '@tensorflow/tfjs': [dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json'))],
    },
  };
  const program = ts.createProgram([file], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length === 0) return;
  const lines = diagnostics.slice(0, SHOWN).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${message}`;
  });
  const more = diagnostics.length > SHOWN ? `\n  … and ${diagnostics.length - SHOWN} more` : '';
  throw new LabError('BAD_LAB_FILE', `${file} does not type-check (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}${more}`, {
    hint: 'fix the file (the API is in docs/api.md), or run it anyway with --no-typecheck',
  });
}
