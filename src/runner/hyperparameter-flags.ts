// Checks --hp-<key> values against the hyperparameters a lab file declares, before anything trains.
import { badArgument } from '../errors.js';
import type { LabStep } from './step-file.js';

/** Throws BAD_ARGUMENT naming the --hp-<key> flag when the step has no such knob or the value breaks its range. */
export function checkHyperparameters(step: LabStep, hp: Record<string, number>): void {
  const specs = step.about?.hyperparameters ?? {};
  const known = Object.keys(specs);
  for (const [key, value] of Object.entries(hp)) {
    const spec = specs[key];
    if (spec === undefined) {
      const rule = known.length
        ? `one of the hyperparameters of ${step.name} (${known.map((k) => `--hp-${k}`).join(', ')})`
        : `absent: ${step.name} declares no hyperparameters`;
      throw badArgument(`--hp-${key}`, rule, value, 'a lab file declares its knobs in about.hyperparameters (as lab/mlengine.ts does)');
    }
    const inRange = Number.isFinite(value) && value >= spec.min && value <= spec.max;
    if (!inRange || (spec.integer && !Number.isInteger(value))) {
      throw badArgument(`--hp-${key}`, `${spec.integer ? 'an integer' : 'a number'} in [${spec.min}, ${spec.max}] (${spec.help})`, value, `the default is ${spec.default}`);
    }
  }
}
