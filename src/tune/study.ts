// The study file (study.yaml, after the codelab's config-hptune.yaml): schema, defaults and errors that name the field.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { LabError } from '../errors.js';

/** Flags the tuner sets on every trial itself; a study may not set them. */
export const RESERVED_FLAGS = ['out', 'json', 'force', 'job-dir'] as const;

const flagName = z
  .string({ error: 'must be a flag name' })
  .regex(/^[a-z][a-z0-9-]*$/, { error: 'must be a flag name without dashes in front, like "hp-conv1"' });

const scaleType = z.enum(['UNIT_LINEAR_SCALE', 'UNIT_LOG_SCALE'], { error: 'must be UNIT_LINEAR_SCALE or UNIT_LOG_SCALE' }).default('UNIT_LINEAR_SCALE');
const finite = z.number({ error: 'must be a finite number' });

const integerParam = z.strictObject({
  name: flagName,
  type: z.literal('INTEGER'),
  minValue: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }),
  maxValue: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }),
  scaleType,
});

const doubleParam = z.strictObject({
  name: flagName,
  type: z.literal('DOUBLE'),
  minValue: finite,
  maxValue: finite,
  scaleType,
});

const discreteParam = z.strictObject({
  name: flagName,
  type: z.literal('DISCRETE'),
  discreteValues: z.array(finite, { error: 'must be a list of numbers' }).min(1, { error: 'must list at least one value' }),
});

const categoricalParam = z.strictObject({
  name: flagName,
  type: z.literal('CATEGORICAL'),
  categoricalValues: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }).min(1, { error: 'must list at least one value' }),
});

const paramSchema = z.discriminatedUnion('type', [integerParam, doubleParam, discreteParam, categoricalParam], {
  error: 'must be one of INTEGER, DOUBLE, DISCRETE, CATEGORICAL',
});

const positiveInt = z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).min(1, {
  error: 'must be a positive integer',
});

const studySchema = z
  .strictObject({
    goal: z.enum(['MINIMIZE', 'MAXIMIZE'], { error: 'must be MINIMIZE or MAXIMIZE' }),
    metric: z.enum(['loss', 'accuracy'], { error: 'must be loss or accuracy' }),
    maxTrials: positiveInt,
    maxParallelTrials: positiveInt.default(1),
    preset: z.string({ error: 'must be a preset name' }).min(1, { error: 'must be a preset name' }).default('mlengine'),
    algorithm: z.enum(['random', 'tpe'], { error: 'must be random or tpe' }).default('tpe'),
    /** Random trials before TPE starts modelling (ignored by random search). */
    startupTrials: positiveInt.default(10),
    earlyStopping: z.enum(['none', 'median'], { error: 'must be none or median' }).default('none'),
    /** Completed trials needed before the median rule may stop anything. */
    earlyStoppingMinTrials: positiveInt.default(3),
    seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).default(0),
    /** Fixed training flags for every trial, e.g. { steps: 5, limit: 500 }; true means a bare flag. */
    args: z
      .record(flagName, z.union([z.string(), finite, z.boolean()], { error: 'must be a string, number or boolean' }), {
        error: 'must be a mapping of flag names to values',
      })
      .default({}),
    params: z.array(paramSchema, { error: 'must list at least one parameter' }).min(1, { error: 'must list at least one parameter' }),
  }, { error: 'must be a mapping of the study fields (goal, metric, maxTrials, params…)' })
  .superRefine((study, ctx) => {
    const seen = new Set<string>();
    study.params.forEach((param, i) => {
      const at = (field: string) => ['params', i, field];
      if (seen.has(param.name)) ctx.addIssue({ code: 'custom', path: at('name'), message: 'must be unique among params' });
      seen.add(param.name);
      if ((RESERVED_FLAGS as readonly string[]).includes(param.name) || param.name in study.args) {
        ctx.addIssue({ code: 'custom', path: at('name'), message: `must not be a reserved flag (${RESERVED_FLAGS.join(', ')}) or an args key` });
      }
      if (param.type === 'INTEGER' || param.type === 'DOUBLE') {
        if (!(param.maxValue > param.minValue)) {
          ctx.addIssue({ code: 'custom', path: at('maxValue'), message: `must be greater than minValue (${param.minValue})` });
        }
        if (param.scaleType === 'UNIT_LOG_SCALE' && !(param.minValue > 0)) {
          ctx.addIssue({ code: 'custom', path: at('minValue'), message: 'must be > 0 with scaleType UNIT_LOG_SCALE' });
        }
      }
      if (param.type === 'DISCRETE' && param.discreteValues.some((v, k) => k > 0 && v <= param.discreteValues[k - 1])) {
        ctx.addIssue({ code: 'custom', path: at('discreteValues'), message: 'must be strictly increasing' });
      }
      if (param.type === 'CATEGORICAL' && new Set(param.categoricalValues).size !== param.categoricalValues.length) {
        ctx.addIssue({ code: 'custom', path: at('categoricalValues'), message: 'must not repeat a value' });
      }
    });
    for (const key of Object.keys(study.args)) {
      if ((RESERVED_FLAGS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', path: ['args', key], message: `must not set ${RESERVED_FLAGS.join(', ')}: the tuner sets them per trial` });
      }
    }
  });

export type Study = z.infer<typeof studySchema>;
export type ParamSpec = Study['params'][number];
/** One trial's values, by param name: numbers for INTEGER/DOUBLE/DISCRETE, strings for CATEGORICAL. */
export type Assignment = Record<string, number | string>;

/** Renders a path like ["params", 1, "maxValue"] as params[1].maxValue. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A value as an error shows it: JSON, but Infinity and NaN by name, and a structure that contains itself (a YAML alias of its own parent) said so. */
function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return 'a structure that contains itself';
  }
}

/** Validates a parsed study object; `source` names the file in errors. */
export function parseStudy(raw: unknown, source = 'study'): Study {
  const result = studySchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        return `${formatPath(path)} is not a known field; got ${shown(valueAt(raw, path))}`;
      });
    }
    if (issue.code === 'invalid_key') {
      // A bad key of a mapping (args): the rule is the key's, and the key is what was got.
      const key = issue.path.at(-1);
      return [`${formatPath(issue.path.slice(0, -1))} key ${issue.issues[0]?.message ?? 'is not valid'}; got ${shown(key)}`];
    }
    const field = formatPath(issue.path) || '(top level)';
    const value = valueAt(raw, issue.path);
    if (value === undefined) return [`${field} is missing (it ${issue.message})`];
    return [`${field} ${issue.message}; got ${shown(value)}`];
  });
  throw new LabError('BAD_INPUT', `${source}: ${lines.join('\n  ')}`, {
    hint: 'fix the field named above; docs/tuning.md lists every field of a study file',
  });
}

/**
 * Parses study YAML text. A YAML warning is an error too (an unknown tag, an ambiguous alias): what it warns about
 * would otherwise be read some way silently; and nothing goes to the process's warning output.
 */
export function parseStudyYaml(text: string, source = 'study'): Study {
  let raw: unknown;
  try {
    const doc = parseDocument(text);
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    raw = doc.toJS();
  } catch (error) {
    throw new LabError('BAD_INPUT', `${source}: not valid YAML: ${(error as Error).message}`, {
      hint: 'check the indentation and quoting around the line named above',
      cause: error,
    });
  }
  return parseStudy(raw, source);
}

/** Reads a study file's text; the error names the file. */
export function readStudyText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new LabError('BAD_ARGUMENT', `study file ${file} cannot be read: ${(error as Error).message}`, {
      hint: 'pass the path of a study YAML file (docs/tuning.md shows one)',
      cause: error,
    });
  }
}

/** Reads and validates a study file. */
export function loadStudy(file: string): Study {
  return parseStudyYaml(readStudyText(file), file);
}
