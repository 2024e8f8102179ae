// The model ladder's registry: preset names in codelab order, lookup by name, and hyperparameter checking.
import { LabError, badArgument } from '../errors.js';
import type { HyperparameterSpec, Preset } from './preset.js';
import { softmaxPreset } from './presets/01-softmax.js';
import { sigmoidPreset } from './presets/02-sigmoid.js';
import { reluAdamPreset } from './presets/03-relu-adam.js';
import { adamFastPreset } from './presets/04-adam-fast.js';
import { lrDecayPreset } from './presets/05-lr-decay.js';
import { deeperPreset } from './presets/06-deeper.js';
import { denseDropoutPreset } from './presets/07-dense-dropout.js';
import { convPreset } from './presets/08-conv.js';
import { convDropoutPreset } from './presets/09-conv-dropout.js';
import { convBnPreset } from './presets/10-conv-bn.js';
import { MLENGINE_HYPERPARAMETERS, type MlengineHp, mlenginePreset } from './presets/mlengine.js';

export type { HyperparameterSpec, Preset } from './preset.js';

export const PRESET_NAMES = [
  '01-softmax',
  '02-sigmoid',
  '03-relu-adam',
  '04-adam-fast',
  '05-lr-decay',
  '06-deeper',
  '07-dense-dropout',
  '08-conv',
  '09-conv-dropout',
  '10-conv-bn',
  'mlengine',
] as const;

export type PresetName = (typeof PRESET_NAMES)[number];

const FIXED: Record<Exclude<PresetName, 'mlengine'>, Preset> = {
  '01-softmax': softmaxPreset,
  '02-sigmoid': sigmoidPreset,
  '03-relu-adam': reluAdamPreset,
  '04-adam-fast': adamFastPreset,
  '05-lr-decay': lrDecayPreset,
  '06-deeper': deeperPreset,
  '07-dense-dropout': denseDropoutPreset,
  '08-conv': convPreset,
  '09-conv-dropout': convDropoutPreset,
  '10-conv-bn': convBnPreset,
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** Every preset in codelab order, hyperparameters at their defaults. */
export function listPresets(): Preset[] {
  return PRESET_NAMES.map((name) => getPreset(name));
}

/**
 * The preset called `name`, built with `hp` over its defaults. Unknown names throw UNKNOWN_PRESET listing them
 * all; hp keys the preset does not declare, and values out of range or not integral where required, throw
 * BAD_ARGUMENT naming the `--hp-<key>` flag.
 */
export function getPreset(name: string, hp: Record<string, number> = {}): Preset {
  if (!isPresetName(name)) {
    throw new LabError('UNKNOWN_PRESET', `unknown preset ${JSON.stringify(name)}; the presets are: ${PRESET_NAMES.join(', ')}`, {
      hint: 'run `mnist-lab models` to see each preset with its description',
    });
  }
  if (name === 'mlengine') return mlenginePreset(resolveHyperparameters(name, MLENGINE_HYPERPARAMETERS, hp) as MlengineHp);
  resolveHyperparameters(name, {}, hp);
  return FIXED[name];
}

function resolveHyperparameters(
  preset: string,
  specs: Record<string, HyperparameterSpec>,
  hp: Record<string, number>,
): Record<string, number> {
  const known = Object.keys(specs);
  for (const [key, value] of Object.entries(hp)) {
    const spec = specs[key];
    if (spec === undefined) {
      const rule = known.length
        ? `one of the hyperparameters of ${preset} (${known.map((k) => `--hp-${k}`).join(', ')})`
        : `absent: preset ${preset} has no hyperparameters`;
      throw badArgument(`--hp-${key}`, rule, value, 'only the mlengine preset takes --hp-* flags');
    }
    const inRange = Number.isFinite(value) && value >= spec.min && value <= spec.max;
    if (!inRange || (spec.integer && !Number.isInteger(value))) {
      const kind = spec.integer ? 'an integer' : 'a number';
      throw badArgument(`--hp-${key}`, `${kind} in [${spec.min}, ${spec.max}] (${spec.help})`, value, `the default is ${spec.default}`);
    }
  }
  return Object.fromEntries(known.map((key) => [key, hp[key] ?? specs[key].default]));
}
