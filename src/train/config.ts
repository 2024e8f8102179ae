// The one typed training config: defaults from the preset, overrides checked, stored as the run's config.json.
import { z } from 'zod';
import { LabError } from '../errors.js';
import type { Preset } from '../models/preset.js';

export const BACKENDS = ['auto', 'native', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

const positiveInt = z.number().int().positive();

export const TrainConfigSchema = z
  .object({
    preset: z.string().min(1),
    dataset: z.enum(['mnist', 'fashion']),
    /** Absolute folder holding the four IDX files. */
    dataDir: z.string().min(1),
    epochs: positiveInt,
    batchSize: positiveInt.max(60000),
    /** Initial learning rate (the schedule's lr0 when a schedule is active). */
    lr: z.number().positive().max(10),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    /** Cap on steps per epoch (tiny runs); null = the codelab's 60000 // batch. */
    steps: positiveInt.nullable(),
    /** Use only the first N training digits; null = all. */
    limit: positiveInt.nullable(),
    /** Validate on the first N test digits; null = all 10,000. */
    valLimit: positiveInt.nullable(),
    backend: z.enum(BACKENDS),
    threads: positiveInt.max(256).nullable(),
    /** A training-batch sample goes to history.jsonl every this many batches (the codelab plots every 10th). */
    sampleEvery: positiveInt,
    /** Preset hyperparameters (mlengine's --hp-* flags). */
    hp: z.record(z.string(), z.number()),
    /** Render pictures (curves each epoch, the full set at the end). */
    pictures: z.boolean(),
  })
  .strict();

export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** Flags a user may set; everything else comes from the preset. */
export type TrainOverrides = Partial<Omit<TrainConfig, 'preset' | 'dataDir' | 'hp'>>;

/** Resolves the full config from a preset and the user's overrides, rejecting bad values by name. */
export function resolveConfig(
  preset: Preset,
  dataDir: string,
  overrides: TrainOverrides,
  hp: Record<string, number> = {},
): TrainConfig {
  const candidate = {
    preset: preset.name,
    dataset: 'mnist',
    dataDir,
    epochs: preset.epochs,
    batchSize: preset.batchSize,
    lr: preset.optimizer.lr,
    seed: 0,
    steps: null,
    limit: null,
    valLimit: null,
    backend: 'auto',
    threads: null,
    sampleEvery: 10,
    pictures: true,
    ...stripUndefined(overrides),
    hp,
  };
  return parseConfig(candidate, 'training options');
}

/** Validates a config object (e.g. a config.json read back for --resume). */
export function parseConfig(value: unknown, source: string): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.join('.') || '(root)';
  const received = path === '(root)' ? value : pick(value, issue.path);
  throw new LabError('BAD_ARGUMENT', `${source}: ${path} ${issue.message.toLowerCase()}; got ${JSON.stringify(received)}`, {
    hint: `fix ${path} (see \`mnist-lab train --help\`)`,
  });
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pick(value: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
