// The schema of every file in a run folder (zod): config, history records, loop state, metrics, process, lab plan.
import { z } from 'zod';
import { LIMITS, type Limit } from './limits.js';

/** A zod number checked against one row of the limits table. */
export function limited(limit: Limit) {
  let schema = z.number();
  if (limit.integer) schema = schema.int();
  schema = limit.exclusiveMin ? schema.gt(limit.min) : schema.min(limit.min);
  return schema.max(limit.max);
}

export const DATASET_NAMES = ['mnist', 'fashion'] as const;
export const BACKENDS = ['auto', 'native', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** One tunable knob of a lab step (the mlengine trainer's --hp-* flags): default, inclusive range, help. */
export const HyperparameterSpecSchema = z
  .object({ default: z.number(), min: z.number(), max: z.number(), integer: z.boolean(), help: z.string() })
  .strict();
export type HyperparameterSpec = z.infer<typeof HyperparameterSpecSchema>;

/** A step's words in another language (the browser lab shows them): the title, the codelab's number, the lesson. */
export const StepTextSchema = z.object({ title: z.string().min(1), codelab: z.string().min(1), lesson: z.string().min(1) }).strict();
export type StepText = z.infer<typeof StepTextSchema>;

/** What a lab file says about itself (its `about` export): shown by `models`, the lab table and the reports. */
export const StepInfoSchema = z
  .object({
    /** One line, e.g. "Convolutional network with batch norm". */
    title: z.string().min(1),
    /** Where it comes from: the codelab's notebook or section. */
    source: z.string().min(1),
    /** What the codelab says this step reaches, in its own words. */
    codelab: z.string().min(1),
    /** The bar the 10k-test-set accuracy must reach (judged on the mean over seeds). */
    passBar: z.number().min(0).max(1),
    /** What the step changes from the previous one and what to watch in its curves. */
    lesson: z.string().min(1),
    /** Values the codelab leaves open and what we chose, with the reason. */
    choices: z.array(z.string()).default([]),
    /** The knobs the step takes as --hp-<key> flags (the mlengine trainer's). */
    hyperparameters: z.record(z.string(), HyperparameterSpecSchema).default({}),
    /** The title, codelab number and lesson in other languages, by language code (`he`: Hebrew). */
    translations: z.record(z.string().regex(/^[a-z]{2}$/), StepTextSchema).optional(),
  })
  .strict();
export type StepInfo = z.input<typeof StepInfoSchema>;
export type ResolvedStepInfo = z.output<typeof StepInfoSchema>;

/** The flags a run may override in the file it runs; null: the file's own value. */
export const OverridesSchema = z
  .object({
    epochs: limited(LIMITS.epochs).nullable(),
    batchSize: limited(LIMITS.batchSize).nullable(),
    lr: limited(LIMITS.lr).nullable(),
    steps: limited(LIMITS.steps).nullable(),
    limit: limited(LIMITS.limit).nullable(),
    valLimit: limited(LIMITS.valLimit).nullable(),
  })
  .strict();
export type Overrides = z.infer<typeof OverridesSchema>;

export const NO_OVERRIDES: Overrides = { epochs: null, batchSize: null, lr: null, steps: null, limit: null, valLimit: null };

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** config.json: what ran (which file, as it was), on which data and with which flags. */
export const RunConfigSchema = z
  .object({
    version: z.literal(2),
    step: z
      .object({
        /** The ladder step's name ("10-conv-bn") or the user file's base name. */
        name: z.string().min(1),
        /** The lab file's absolute path when the run started (null for runs from before lab files). */
        file: z.string().min(1).nullable(),
        /** SHA-256 of its source, so `--resume` can tell when the file changed. */
        sha256: sha256.nullable(),
        /** One of mnist-lab's own lab files. */
        builtin: z.boolean(),
      })
      .strict(),
    about: StepInfoSchema.nullable(),
    dataset: z.enum(DATASET_NAMES),
    /** Absolute folder holding the four IDX files. */
    dataDir: z.string().min(1),
    seed: limited(LIMITS.seed),
    overrides: OverridesSchema,
    /** Hyperparameters given as --hp-<key> (the step's defaults fill the rest). */
    hp: z.record(z.string(), z.number()),
    backend: z.enum(BACKENDS),
    threads: limited(LIMITS.threads).nullable(),
    /** Render pictures (curves each epoch, everything at the end). */
    pictures: z.boolean(),
  })
  .strict();
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** config.json as runs before lab files wrote it (a preset name and the resolved values), read as version 2. */
const LegacyConfigSchema = z
  .object({
    preset: z.string().min(1),
    dataset: z.enum(DATASET_NAMES),
    dataDir: z.string().min(1),
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    lr: z.number().positive(),
    seed: z.number().int().min(0),
    steps: z.number().int().positive().nullable(),
    limit: z.number().int().positive().nullable(),
    valLimit: z.number().int().positive().nullable(),
    backend: z.enum(BACKENDS),
    threads: z.number().int().positive().nullable(),
    sampleEvery: z.number().int().positive(),
    hp: z.record(z.string(), z.number()),
    pictures: z.boolean(),
  })
  .strict()
  .transform(
    (old): RunConfig => ({
      version: 2,
      step: { name: old.preset, file: null, sha256: null, builtin: true },
      about: null,
      dataset: old.dataset,
      dataDir: old.dataDir,
      seed: old.seed,
      overrides: { epochs: old.epochs, batchSize: old.batchSize, lr: old.lr, steps: old.steps, limit: old.limit, valLimit: old.valLimit },
      hp: old.hp,
      backend: old.backend,
      threads: old.threads,
      pictures: old.pictures,
    }),
  );

/** config.json of either version, read as version 2. */
export const AnyRunConfigSchema = z.union([RunConfigSchema, LegacyConfigSchema]);

const point = z.object({ x: z.number(), y: z.number() }).strict();
export type Point = z.infer<typeof point>;

/** The plan a run trains with, written before its first step (a resumed run appends another). */
export const StartRecordSchema = z.preprocess(
  // Runs from before lab files named the step `preset` and the engine `backend`.
  (value) => {
    if (typeof value !== 'object' || value === null) return value;
    const { preset, backend, ...rest } = value as Record<string, unknown>;
    return { step: preset, engine: backend, ...rest };
  },
  z.object({
    type: z.literal('start'),
    time: z.string(),
    step: z.string(),
    epochs: z.number().int().positive(),
    stepsPerEpoch: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    /** Which code trains: "native-compiled" or "tfjs-<backend>". */
    engine: z.string(),
    /** Epoch training starts at (non-zero when resumed). */
    initialEpoch: z.number().int().nonnegative(),
    /** The optimizer and loss as compiled, e.g. "adam (lr 0.01, beta1 0.9, beta2 0.999, epsilon 1e-7)". */
    optimizer: z.string().default(''),
    loss: z.string().default(''),
    /** The planned learning rate, x in epochs (the learning-rate plot). */
    lr: z.array(point).default([]),
    /** PlotTraining's zoom of the curves. */
    zoom: z.number().positive().default(1),
    /** The x axis of the curves: "epochs", or for step-based recipes the evaluation period. */
    xTitle: z.string().default('epochs'),
  }),
);
export type StartRecord = z.output<typeof StartRecordSchema>;

/** A training-batch sample, written every `sampleRate` batches (the codelab plots every 10th). */
export const BatchRecordSchema = z
  .object({
    type: z.literal('batch'),
    epoch: z.number().int().nonnegative(),
    /** Batch index within the epoch, 0-based. */
    step: z.number().int().nonnegative(),
    globalStep: z.number().int().nonnegative(),
    loss: z.number(),
    accuracy: z.number(),
    lr: z.number(),
  })
  .strict();
export type BatchRecord = z.infer<typeof BatchRecordSchema>;

/** End of an epoch; val_* are measured on the 10k test set, as the codelab does. */
export const EpochRecordSchema = z
  .object({
    type: z.literal('epoch'),
    epoch: z.number().int().nonnegative(),
    loss: z.number(),
    accuracy: z.number(),
    val_loss: z.number(),
    val_accuracy: z.number(),
    lr: z.number(),
    seconds: z.number().nonnegative(),
  })
  .strict();
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

/**
 * How the weights are spread after `epoch` epochs (0: before training), as the codelab's old desktop dashboard
 * plots them: the boundaries (min … max) of 7 equal-population buckets of all kernel weights, and of all biases.
 */
export const WeightsRecordSchema = z
  .object({ type: z.literal('weights'), epoch: z.number().int().nonnegative(), weights: z.array(z.number()), biases: z.array(z.number()) })
  .strict();
export type WeightsRecord = z.infer<typeof WeightsRecordSchema>;

export const RUN_STATUSES = ['completed', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const EndRecordSchema = z
  .object({ type: z.literal('end'), time: z.string(), status: z.enum(RUN_STATUSES), error: z.string().optional() })
  .strict();
export type EndRecord = z.infer<typeof EndRecordSchema>;

export const HistoryRecordSchema = z.union([
  StartRecordSchema,
  BatchRecordSchema,
  EpochRecordSchema,
  WeightsRecordSchema,
  EndRecordSchema,
]);
export type HistoryRecord = StartRecord | BatchRecord | EpochRecord | WeightsRecord | EndRecord;

/** metrics.json: the outcome of a run on the test set. */
export const RunMetricsSchema = z
  .object({
    /** The step's name (runs from before lab files called it the preset). */
    step: z.string(),
    dataset: z.enum(DATASET_NAMES),
    test_accuracy: z.number().min(0).max(1),
    test_loss: z.number(),
    /** Misclassified digits of the `test_count` validated on. */
    errors: z.number().int().nonnegative(),
    test_count: z.number().int().positive(),
    epochs: z.number().int().nonnegative(),
    steps: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
    images_per_second: z.number().nonnegative(),
    engine: z.string(),
    status: z.literal('completed'),
  })
  .strict();
export type RunMetrics = z.infer<typeof RunMetricsSchema>;

/** metrics.json of either version, read as the current one. */
export const AnyRunMetricsSchema = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || !('preset' in value)) return value;
  const { preset, backend, ...rest } = value as Record<string, unknown>;
  return { step: preset, engine: backend, test_count: 10_000, ...rest };
}, RunMetricsSchema);

/** Where the loop stands: the next step to run and everything random or accumulated so far (checkpoint state.json). */
export const LoopStateSchema = z
  .object({
    /** 0-based epoch the next step belongs to. */
    epoch: z.number().int().nonnegative(),
    /** Steps of that epoch already done. */
    stepInEpoch: z.number().int().nonnegative(),
    globalStep: z.number().int().nonnegative(),
    rng: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
    /** The training stream's state (the data pipeline checks it on restore). */
    batcher: z.unknown(),
    /** Running sums of the current epoch's training loss and accuracy. */
    sums: z.object({ loss: z.number(), accuracy: z.number(), steps: z.number().int().nonnegative() }).strict(),
    /** Training seconds so far (wall time across sessions). */
    seconds: z.number().nonnegative(),
    /** The learning rate the optimizer held (a scheduler may have set it; resuming restores it). */
    lr: z.number().optional(),
  })
  .strict();
export type LoopState = z.infer<typeof LoopStateSchema>;

/** optimizer.json of a checkpoint: the optimizer's step count and its slots (their floats are in optimizer.bin). */
export const OptimizerMetaSchema = z
  .object({
    step: z.number().int().nonnegative(),
    slots: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()) }).strict()),
  })
  .strict();

/** process.json: which process is writing the run, so readers can tell a live run from a dead one. */
export const ProcessInfoSchema = z
  .object({ pid: z.number().int().positive(), hostname: z.string(), started: z.string() })
  .strict();
export type ProcessInfo = z.infer<typeof ProcessInfoSchema>;

/** lab-plan.json: what a lab was asked to train, so `lab --resume` continues the same lab. */
export const LabPlanSchema = z
  .object({
    steps: z.array(z.string().min(1)).min(1),
    overrides: OverridesSchema,
    seeds: z.array(limited(LIMITS.seed)).min(1),
    dataset: z.enum(DATASET_NAMES),
    dataDir: z.string().min(1).nullable(),
    backend: z.enum(BACKENDS),
    threads: limited(LIMITS.threads).nullable(),
    pictures: z.boolean(),
  })
  .strict();
export type LabPlan = z.infer<typeof LabPlanSchema>;

/** One seed's run of a step in lab.json. */
export const LabRunSchema = z
  .object({
    seed: limited(LIMITS.seed),
    test_accuracy: z.number().min(0).max(1).nullable(),
    seconds: z.number().nonnegative().nullable(),
    engine: z.string().nullable(),
    runDir: z.string().min(1),
    status: z.enum(['completed', 'interrupted', 'pending']),
  })
  .strict();
export type LabRun = z.infer<typeof LabRunSchema>;

/** Mean, sample standard deviation and range of a step's test accuracy over its seeds. */
const SpreadSchema = z.object({ mean: z.number(), std: z.number().nonnegative(), min: z.number(), max: z.number(), count: z.number().int().positive() }).strict();

/** One step of lab.json: its runs, their spread, the bar and the codelab's words. */
export const LabRowSchema = z
  .object({
    step: z.string().min(1),
    title: z.string().nullable(),
    runs: z.array(LabRunSchema),
    /** Over the completed runs (null before any completed). */
    accuracy: SpreadSchema.nullable(),
    passBar: z.number().nullable(),
    codelab: z.string().nullable(),
    /** The mean over seeds against the bar (null until every seed completed). */
    passed: z.boolean().nullable(),
    seconds: z.number().nonnegative().nullable(),
  })
  .strict();
export type LabRow = z.infer<typeof LabRowSchema>;

/** lab.json: the lab's table, a row a step. */
export const LabTableSchema = z.array(LabRowSchema);
