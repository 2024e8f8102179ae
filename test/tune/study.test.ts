// Study-file validation: a good file gets its defaults, and each bad field gives an error that names it and its value.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { loadStudy, parseStudy, parseStudyYaml } from '../../src/tune/study.js';

const valid = {
  goal: 'MINIMIZE',
  metric: 'loss',
  maxTrials: 53,
  maxParallelTrials: 7,
  params: [
    { name: 'hp-conv1', type: 'INTEGER', minValue: 6, maxValue: 18, scaleType: 'UNIT_LINEAR_SCALE' },
    { name: 'hp-lr0', type: 'DOUBLE', minValue: 0.001, maxValue: 0.05, scaleType: 'UNIT_LOG_SCALE' },
    { name: 'hp-dropout', type: 'DISCRETE', discreteValues: [0.1, 0.3, 0.5] },
    { name: 'backend', type: 'CATEGORICAL', categoricalValues: ['cpu', 'wasm'] },
  ],
};

function errorOf(raw: unknown): LabError {
  try {
    parseStudy(raw, 'study.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(LabError);
    return error as LabError;
  }
  throw new Error('expected a validation error');
}

const withParam = (patch: Record<string, unknown>, index = 0) => ({
  ...valid,
  params: valid.params.map((p, i) => (i === index ? { ...p, ...patch } : p)),
});

describe('study file', () => {
  it('parses the codelab-style study and fills the defaults', () => {
    const study = parseStudyYaml(
      [
        'goal: MINIMIZE',
        'metric: loss',
        'maxTrials: 53',
        'maxParallelTrials: 7',
        'args: { steps: 5, limit: 500, json-log: true }',
        'params:',
        '  - { name: hp-conv1, type: INTEGER, minValue: 6, maxValue: 18 }',
        '  - { name: hp-lr2, type: INTEGER, minValue: 500, maxValue: 5000, scaleType: UNIT_LOG_SCALE }',
      ].join('\n'),
    );
    expect(study.preset).toBe('mlengine');
    expect(study.algorithm).toBe('tpe');
    expect(study.earlyStopping).toBe('none');
    expect(study.args).toEqual({ steps: 5, limit: 500, 'json-log': true });
    expect(study.params[0]).toMatchObject({ scaleType: 'UNIT_LINEAR_SCALE' });
    expect(study.params[1]).toMatchObject({ scaleType: 'UNIT_LOG_SCALE', minValue: 500 });
  });

  const cases: [string, unknown, RegExp][] = [
    ['goal', { ...valid, goal: 'min' }, /goal must be MINIMIZE or MAXIMIZE; got "min"/],
    ['metric', { ...valid, metric: 'f1' }, /metric must be loss or accuracy; got "f1"/],
    ['maxTrials', { ...valid, maxTrials: 0 }, /maxTrials must be a positive integer; got 0/],
    ['maxTrials missing', { ...valid, maxTrials: undefined }, /maxTrials is missing/],
    ['maxParallelTrials', { ...valid, maxParallelTrials: 1.5 }, /maxParallelTrials must be a positive integer; got 1.5/],
    ['algorithm', { ...valid, algorithm: 'grid' }, /algorithm must be random or tpe; got "grid"/],
    ['earlyStopping', { ...valid, earlyStopping: 'mean' }, /earlyStopping must be none or median; got "mean"/],
    ['unknown field', { ...valid, maxTrails: 3 }, /maxTrails is not a known field; got 3/],
    ['reserved args', { ...valid, args: { out: 'x' } }, /args\.out must not set/],
    ['args value', { ...valid, args: { steps: [1] } }, /args\.steps must be a string, number or boolean; got \[1\]/],
    ['params empty', { ...valid, params: [] }, /params must list at least one parameter; got \[\]/],
    ['param type', withParam({ type: 'FLOAT' }), /params\[0\]\.type must be one of INTEGER, DOUBLE, DISCRETE, CATEGORICAL; got "FLOAT"/],
    ['param name', withParam({ name: '--hp-conv1' }), /params\[0\]\.name must be a flag name without dashes/],
    ['integer bound', withParam({ minValue: 6.5 }), /params\[0\]\.minValue must be an integer; got 6.5/],
    ['bounds order', withParam({ maxValue: 3 }), /params\[0\]\.maxValue must be greater than minValue \(6\); got 3/],
    ['log scale', withParam({ minValue: 0 }, 1), /params\[1\]\.minValue must be > 0 with scaleType UNIT_LOG_SCALE; got 0/],
    ['scaleType', withParam({ scaleType: 'LOG' }), /params\[0\]\.scaleType/],
    ['field of another type', withParam({ discreteValues: [1, 2] }), /params\[0\]\.discreteValues is not a known field/],
    ['discrete order', withParam({ discreteValues: [0.5, 0.1] }, 2), /params\[2\]\.discreteValues must be strictly increasing/],
    ['categorical repeat', withParam({ categoricalValues: ['cpu', 'cpu'] }, 3), /params\[3\]\.categoricalValues must not repeat/],
    ['duplicate name', withParam({ name: 'hp-lr0' }), /params\[1\]\.name must be unique/],
  ];
  it.each(cases)('names the bad field: %s', (_label, raw, message) => {
    const error = errorOf(raw);
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toMatch(/^study\.yaml: /);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
  });

  it('names a study file that cannot be read', () => {
    expect(() => loadStudy('/nonexistent/study.yaml')).toThrow(/study file \/nonexistent\/study\.yaml cannot be read/);
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(() => parseStudyYaml('goal: [MINIMIZE', 'bad.yaml')).toThrow(/bad\.yaml: not valid YAML/);
  });
});
