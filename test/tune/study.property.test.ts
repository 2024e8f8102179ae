// Properties of the study-file parser: random valid studies round-trip through YAML; random damage gives BAD_INPUT in our words, or a study that keeps every rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseStudy, parseStudyYaml, RESERVED_FLAGS, type Study } from '../../src/tune/study.js';
import { bounded, settle } from '../helpers/properties.js';

const flagName = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/).filter((name) => !(RESERVED_FLAGS as readonly string[]).includes(name));
const finite = (min = -1e6, max = 1e6) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const positive = fc.integer({ min: 1, max: 1000 });

const integerParam = fc.oneof(
  fc.record({ min: fc.integer({ min: -1000, max: 1000 }), span: positive }).map(({ min, span }) => ({ type: 'INTEGER', minValue: min, maxValue: min + span, scaleType: 'UNIT_LINEAR_SCALE' })),
  fc.record({ min: positive, span: positive }).map(({ min, span }) => ({ type: 'INTEGER', minValue: min, maxValue: min + span, scaleType: 'UNIT_LOG_SCALE' })),
);
const doubleParam = fc.oneof(
  fc.record({ min: finite(), span: finite(1e-3, 1e6) }).map(({ min, span }) => ({ type: 'DOUBLE', minValue: min, maxValue: min + span, scaleType: 'UNIT_LINEAR_SCALE' })),
  fc.record({ min: finite(1e-6, 1e6), span: finite(1e-3, 1e6) }).map(({ min, span }) => ({ type: 'DOUBLE', minValue: min, maxValue: min + span, scaleType: 'UNIT_LOG_SCALE' })),
);
const discreteParam = fc
  .uniqueArray(finite(), { minLength: 1, maxLength: 5 })
  .map((values) => ({ type: 'DISCRETE', discreteValues: [...values].sort((a, b) => a - b) }));
const categoricalParam = fc.uniqueArray(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 5 }).map((values) => ({ type: 'CATEGORICAL', categoricalValues: values }));

/** Valid studies with every field written out, so that parsing gives back exactly the object. */
const studies: fc.Arbitrary<Study> = fc
  .record({
    goal: fc.constantFrom('MINIMIZE', 'MAXIMIZE'),
    metric: fc.constantFrom('loss', 'accuracy'),
    maxTrials: positive,
    maxParallelTrials: positive,
    preset: fc.string({ minLength: 1, maxLength: 12 }),
    algorithm: fc.constantFrom('random', 'tpe'),
    startupTrials: positive,
    earlyStopping: fc.constantFrom('none', 'median'),
    earlyStoppingMinTrials: positive,
    seed: fc.integer(),
    args: fc.dictionary(flagName, fc.oneof(fc.string({ maxLength: 8 }), finite(), fc.boolean()), { maxKeys: 4 }),
    specs: fc.array(fc.oneof(integerParam, doubleParam, discreteParam, categoricalParam), { minLength: 1, maxLength: 5 }),
    names: fc.uniqueArray(flagName, { minLength: 5, maxLength: 5 }),
  })
  .filter(({ args, names }) => names.every((name) => !(name in args)))
  .map(({ specs, names, ...study }) => ({ ...study, params: specs.map((spec, i) => ({ name: names[i], ...spec })) }) as Study);

/** The rules of docs/tuning.md, written out again: an accepted study must keep every one. */
function expectStudyRules(study: Study): void {
  const positiveInt = (x: unknown) => Number.isInteger(x) && (x as number) >= 1;
  expect(['MINIMIZE', 'MAXIMIZE']).toContain(study.goal);
  expect(['loss', 'accuracy']).toContain(study.metric);
  for (const n of [study.maxTrials, study.maxParallelTrials, study.startupTrials, study.earlyStoppingMinTrials]) expect(positiveInt(n)).toBe(true);
  expect(Number.isInteger(study.seed)).toBe(true);
  for (const [key, value] of Object.entries(study.args)) {
    expect(key).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(RESERVED_FLAGS).not.toContain(key);
    expect(typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value)).toBe(true);
  }
  expect(study.params.length).toBeGreaterThan(0);
  expect(new Set(study.params.map((p) => p.name)).size).toBe(study.params.length);
  for (const p of study.params) {
    expect(p.name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect([...RESERVED_FLAGS, ...Object.keys(study.args)]).not.toContain(p.name);
    if (p.type === 'INTEGER' || p.type === 'DOUBLE') {
      expect(Number.isFinite(p.minValue) && Number.isFinite(p.maxValue) && p.maxValue > p.minValue).toBe(true);
      if (p.type === 'INTEGER') expect(Number.isInteger(p.minValue) && Number.isInteger(p.maxValue)).toBe(true);
      if (p.scaleType === 'UNIT_LOG_SCALE') expect(p.minValue).toBeGreaterThan(0);
    } else if (p.type === 'DISCRETE') {
      expect(p.discreteValues.length).toBeGreaterThan(0);
      p.discreteValues.forEach((v, k) => expect(Number.isFinite(v) && (k === 0 || v > p.discreteValues[k - 1])).toBe(true));
    } else {
      expect(p.categoricalValues.length).toBeGreaterThan(0);
      expect(new Set(p.categoricalValues).size).toBe(p.categoricalValues.length);
    }
  }
}

/** A BAD_INPUT names the file, then one line per problem in our words: the field, the rule, the value. */
function expectOurWords(message: string): void {
  expect(message.startsWith('study.yaml: ')).toBe(true);
  // YAML's own report (line, column and a picture of the spot) follows this.
  if (message.startsWith('study.yaml: not valid YAML: ')) return;
  for (const line of message.slice('study.yaml: '.length).split('\n  ')) {
    // zod's own wording ("Invalid input: expected …") says neither the field's rule nor what to write.
    expect(line).not.toMatch(/Invalid (input|key|option)|Too (small|big)|expected \w+, received/);
    expect(line).toMatch(/^.+ (is not a known field; got |is missing \(it |must |key must )/);
  }
}

/** Every place in a JSON-like value, as a path of keys. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [path];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [path, ...keys.flatMap((key) => pathsOf((value as Record<string | number, unknown>)[key], [...path, key]))];
}

type Damage = { kind: 'delete' } | { kind: 'replace'; value: unknown } | { kind: 'unknown key'; key: string; value: unknown } | { kind: 'alias its parent' };

/** Changes the value at `path` (a copy of `study`); "alias its parent" makes the structure circular, as a YAML alias can. */
function damage(study: Study, path: (string | number)[], change: Damage): unknown {
  const root = structuredClone(study) as unknown as Record<string | number, unknown>;
  if (path.length === 0) return change.kind === 'replace' ? change.value : root;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, root);
  const key = path[path.length - 1];
  if (change.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (change.kind === 'replace') parent[key] = change.value;
  else if (change.kind === 'alias its parent') parent[key] = parent;
  else if (parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, unknown>)[change.key] = change.value;
  return root;
}

const damages: fc.Arbitrary<Damage> = fc.oneof(
  fc.constant<Damage>({ kind: 'delete' }),
  fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(Infinity, -Infinity, NaN, -0, 1.5, -1, 0, 2 ** 60, '', 'x')).map((value): Damage => ({ kind: 'replace', value })),
  fc.tuple(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })).map(([key, value]): Damage => ({ kind: 'unknown key', key, value })),
  fc.constant<Damage>({ kind: 'alias its parent' }),
);

describe('study file properties', () => {
  it('a valid study written as YAML parses back to itself', () => {
    fc.assert(
      fc.property(studies, (study) => {
        expect(parseStudyYaml(stringify(study), 'study.yaml')).toEqual(study);
      }),
      bounded(300),
    );
  });

  it('a damaged study object gives BAD_INPUT in our words, or a study that keeps every rule', () => {
    const cases = studies.chain((study) => fc.tuple(fc.constant(study), fc.constantFrom(...pathsOf(study)), damages));
    fc.assert(
      fc.property(cases, ([study, path, change]) => {
        const { value, error } = settle(() => parseStudy(damage(study, path, change), 'study.yaml'), ['BAD_INPUT']);
        if (error) expectOurWords(error.message);
        else expectStudyRules(value);
      }),
      bounded(1500),
    );
  });

  it('damaged YAML text gives BAD_INPUT in our words, or a study that keeps every rule', () => {
    const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.stringMatching(/^[-:{}[\],&*!|>#'"%@` \n\ta-z0-9.]{0,4}$/));
    fc.assert(
      fc.property(studies, fc.array(edit, { minLength: 1, maxLength: 3 }), (study, edits) => {
        const text = edits.reduce((t, [at, cut, insert]) => {
          const i = at % (t.length + 1);
          return t.slice(0, i) + insert + t.slice(i + cut);
        }, stringify(study));
        const { value, error } = settle(() => parseStudyYaml(text, 'study.yaml'), ['BAD_INPUT']);
        if (error) expectOurWords(error.message);
        else expectStudyRules(value);
      }),
      bounded(600),
    );
  });

  it('YAML whose aliases make a loop gives BAD_INPUT, not a crash', () => {
    for (const text of ['goal: &g [*g]\nmetric: loss\nmaxTrials: 1\nparams: []', '&s { goal: *s, metric: loss, maxTrials: 1 }']) {
      const { error } = settle(() => parseStudyYaml(text, 'study.yaml'), ['BAD_INPUT']);
      expect(error?.message).toMatch(/^study\.yaml: /);
    }
  });
});
