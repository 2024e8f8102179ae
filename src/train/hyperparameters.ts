// A lab file's knobs (the cloud trainer's --hp-* flags): their defaults, with the run's --hp-<key> values over them.
import { badArgument } from '../errors.js';
import type { HyperparameterSpec } from '../run/schema.js';
import { labSession } from './session.js';

/**
 * The values of a step's hyperparameters for this run: each spec's default unless `--hp-<key>` gave one (checked
 * against the spec's range before the file ran). Declare the specs in `about.hyperparameters` so the CLI knows them.
 */
export function hyperparameters<K extends string>(specs: Record<K, HyperparameterSpec>): Record<K, number> {
  const given = labSession().hp;
  for (const key of Object.keys(given)) {
    if (!(key in specs)) throw badArgument(`--hp-${key}`, `one of ${Object.keys(specs).map((k) => `--hp-${k}`).join(', ')}`, given[key]);
  }
  const keys = Object.keys(specs) as K[];
  return Object.fromEntries(keys.map((key) => [key, given[key] ?? specs[key].default])) as Record<K, number>;
}
