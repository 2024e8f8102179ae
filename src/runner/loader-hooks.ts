// Node ESM hooks for lab files: `mnist-lab` and `@tensorflow/tfjs` resolve to the very modules the CLI itself runs.

/** The URLs the two public specifiers resolve to, given by the loader that registers these hooks. */
export interface LoaderTargets {
  api: string;
  tfjs: string;
}

let targets: LoaderTargets | undefined;

export function initialize(data: LoaderTargets): void {
  targets = data;
}

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<ResolveResult> {
  // Resolved by the rest of the chain (tsx loads the API's TypeScript when the CLI runs from source).
  const target = specifier === 'mnist-lab' ? targets?.api : specifier === '@tensorflow/tfjs' ? targets?.tfjs : undefined;
  const result = await nextResolve(target ?? specifier, context);
  // A lab file written with import/export is an ES module even outside a package marked "type": "module".
  if (/\.[cm]?ts$/.test(result.url) && !result.url.includes('/node_modules/') && result.format === 'commonjs' && !result.url.endsWith('.cts')) {
    return { ...result, format: 'module' };
  }
  return result;
}
