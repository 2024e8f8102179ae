// Imports a lab file: TypeScript without a build step (tsx), with `mnist-lab` and `@tensorflow/tfjs` bound to ours.
import { register } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

let registered = false;

/**
 * Makes `import(labFile)` work for any lab file: registers tsx so TypeScript loads without a build step, then the
 * hooks that resolve `mnist-lab` and `@tensorflow/tfjs` to the modules this process already runs (one TF.js, with
 * the native engine registered), wherever the file lives. (Registering tsx where it is already loaded, as when the
 * CLI runs from the source tree, only repeats a transform.)
 */
async function ensureLoader(): Promise<void> {
  if (registered) return;
  registered = true;
  const ext = extname(new URL(import.meta.url).pathname);
  const tsx = await import('tsx/esm/api');
  tsx.register();
  const api = new URL(`../index${ext}`, import.meta.url).href;
  const tfjs = import.meta.resolve('@tensorflow/tfjs');
  register(new URL(`./loader-hooks${ext}`, import.meta.url), { data: { api, tfjs } });
}

/** The module of a lab file (absolute path). */
export async function importLabFile(path: string): Promise<Record<string, unknown>> {
  await ensureLoader();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}
