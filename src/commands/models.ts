// `mnist-lab models` and `mnist-lab summary`: the lab's steps with parameter counts, recipes, bars and lessons.
import { formatSummary, summarize, type ModelSummary } from '../models/summary.js';
import type { ResolvedStepInfo } from '../run/schema.js';
import { STEP_NAMES } from '../runner/catalogue.js';
import { describeStep } from '../runner/describe-step.js';
import { loadStep } from '../runner/step-file.js';
import type { TrainingPlan } from '../train/session.js';
import { formatG } from '../viz/curve-data.js';
import { formatTable, printJson, type CommandIo } from './io.js';

/** The stable --json shape of one step. */
export interface StepDescription {
  name: string;
  file: string;
  title: string | null;
  params: { total: number; trainable: number; nonTrainable: number };
  optimizer: string;
  loss: string;
  schedule: string;
  batchSize: number;
  epochs: number;
  stepsPerEpoch: number;
  passBar: number | null;
  codelab: string | null;
  choices: string[];
  lesson: string | null;
}

/** The planned rate in words: "constant 0.01" or "0.01 → 0.000101". */
function scheduleText(plan: TrainingPlan): string {
  const ys = plan.lr.map((p) => p.y);
  const last = plan.lr.filter((p) => p.x <= plan.epochs - 1).at(-1)?.y ?? ys[0];
  return ys.every((y) => y === ys[0]) ? `constant ${formatG(ys[0])}` : `${formatG(ys[0])} → ${formatG(last)}`;
}

function describe(name: string, file: string, about: ResolvedStepInfo | null, plan: TrainingPlan, summary: ModelSummary): StepDescription {
  return {
    name,
    file,
    title: about?.title ?? null,
    params: { total: summary.total, trainable: summary.trainable, nonTrainable: summary.nonTrainable },
    optimizer: plan.optimizer,
    loss: plan.loss,
    schedule: scheduleText(plan),
    batchSize: plan.batchSize,
    epochs: plan.epochs,
    stepsPerEpoch: plan.stepsPerEpoch,
    passBar: about?.passBar ?? null,
    codelab: about?.codelab ?? null,
    choices: about?.choices ?? [],
    lesson: about?.lesson ?? null,
  };
}

/** Loads and describes one step or file (its model built and counted, then freed). */
async function describeOne(arg: string, io: CommandIo, hp: Record<string, number> = {}): Promise<{ description: StepDescription; summary: ModelSummary }> {
  const step = await loadStep(arg, { cwd: io.cwd, typecheck: true });
  const plan = await describeStep(step, hp);
  try {
    const summary = summarize(plan.model);
    return { description: describe(step.name, step.file, step.about, plan, summary), summary };
  } finally {
    plan.model.dispose();
  }
}

export async function modelsCommand(opts: { json?: boolean; explain?: boolean }, io: CommandIo): Promise<StepDescription[]> {
  const steps: StepDescription[] = [];
  for (const name of STEP_NAMES) steps.push((await describeOne(name, io)).description);
  if (opts.json) {
    printJson(io, steps);
    return steps;
  }
  const rows = [
    ['step', 'title', 'params', 'optimizer', 'learning rate', 'batch', 'epochs', 'pass bar'],
    ...steps.map((s) => [
      s.name,
      s.title ?? '',
      s.params.total.toLocaleString('en-US'),
      s.optimizer.split(' ')[0],
      s.schedule,
      String(s.batchSize),
      String(s.epochs),
      s.passBar === null ? '-' : `≥ ${s.passBar}`,
    ]),
  ];
  io.stdout.write(`${formatTable(rows)}\n`);
  if (opts.explain) {
    for (const s of steps) {
      io.stdout.write(`\n${s.name}: ${s.title}\n  ${s.lesson}\n  codelab: ${s.codelab}\n  file: ${s.file}\n`);
      for (const choice of s.choices) io.stdout.write(`  choice: ${choice}\n`);
    }
  }
  return steps;
}

export async function summaryCommand(opts: { step: string; hp?: Record<string, number>; json?: boolean }, io: CommandIo): Promise<void> {
  const { summary } = await describeOne(opts.step, io, opts.hp);
  if (opts.json) printJson(io, summary);
  else io.stdout.write(`${formatSummary(summary)}\n`);
}
