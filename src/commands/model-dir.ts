// Resolves a path given to eval/predict/serve: a model folder, or a run folder holding model/.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../errors.js';
import { runFiles } from '../run/layout.js';

export function resolveModelDir(cwd: string, path: string): { modelDir: string; runDir: string | null } {
  const abs = resolve(cwd, path);
  if (existsSync(join(abs, 'model.json'))) return { modelDir: abs, runDir: null };
  const inRun = runFiles(abs).model;
  if (existsSync(join(inRun, 'model.json'))) return { modelDir: inRun, runDir: abs };
  throw new LabError('MODEL_NOT_FOUND', `${path}: neither ${join(abs, 'model.json')} nor ${join(inRun, 'model.json')} exists`, {
    hint: 'pass a model folder (holding model.json) or a finished run folder from `mnist-lab train`',
  });
}
