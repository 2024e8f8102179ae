// Writes a run folder (config and process first, then history records, checkpoints, the model and the metrics) and a lab folder's plan and table.
import type * as tf from '@tensorflow/tfjs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { OptimizerState } from '../engine/types.js';
import { saveModel } from '../models/io.js';
import { loadLatestCheckpoint, saveCheckpoint } from './checkpoints.js';
import { labFiles, runFiles } from './layout.js';
import { checkRunValue, parseHistory } from './parse.js';
import { LabPlanSchema, LabTableSchema, type EndRecord, type HistoryRecord, type LabPlan, type LabRow, type LoopState, type RunConfig, type RunMetrics } from './schema.js';
import type { Checkpoint, RunSink } from './sink.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class RunWriter implements RunSink {
  /** Whether the end record is written. */
  ended = false;

  private constructor(
    readonly runDir: string,
    private readonly resuming: boolean,
  ) {}

  /** A new run in a folder already claimed (src/run/claim.ts): writes config.json and process.json. */
  static async create(runDir: string, config: RunConfig): Promise<RunWriter> {
    const writer = new RunWriter(runDir, false);
    await writeFile(runFiles(runDir).config, json(config));
    await writer.writeProcess();
    return writer;
  }

  /**
   * An existing run continued from its latest checkpoint with `config` (the stored one and what --resume may change);
   * history written after that checkpoint is dropped.
   */
  static async resume(runDir: string, config: RunConfig): Promise<RunWriter> {
    const writer = new RunWriter(runDir, true);
    await writeFile(runFiles(runDir).config, json(config));
    await writer.writeProcess();
    return writer;
  }

  private async writeProcess(): Promise<void> {
    await writeFile(runFiles(this.runDir).process, json({ pid: process.pid, hostname: hostname(), started: new Date().toISOString() }));
  }

  async append(record: HistoryRecord): Promise<void> {
    await appendFile(runFiles(this.runDir).history, `${JSON.stringify(record)}\n`);
  }

  async saveCheckpoint(model: tf.LayersModel, optimizer: OptimizerState, state: LoopState): Promise<void> {
    await saveCheckpoint(runFiles(this.runDir).checkpoints, model, optimizer, state);
  }

  async resumeFrom(): Promise<Checkpoint | null> {
    if (!this.resuming) return null;
    const checkpoint = await loadLatestCheckpoint(runFiles(this.runDir).checkpoints);
    await this.truncateHistory(checkpoint.state);
    return checkpoint;
  }

  /** Drops history written after the checkpoint being resumed, so the file reads as one uninterrupted run. */
  private async truncateHistory(state: LoopState): Promise<void> {
    const path = runFiles(this.runDir).history;
    const records = parseHistory(await readFile(path, 'utf8').catch(() => ''), path);
    const kept = records.filter(
      (r) =>
        r.type === 'start' ||
        (r.type === 'batch' && r.globalStep < state.globalStep) ||
        (r.type === 'epoch' && r.epoch < state.epoch) ||
        (r.type === 'weights' && r.epoch <= state.epoch),
    );
    await writeFile(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  async saveModel(model: tf.LayersModel): Promise<void> {
    await saveModel(model, runFiles(this.runDir).model);
  }

  async writeMetrics(metrics: RunMetrics): Promise<void> {
    await writeFile(runFiles(this.runDir).metrics, json(metrics));
  }

  /** The end record: how the run ended, and why when it failed. */
  async end(status: EndRecord['status'], error?: string): Promise<void> {
    this.ended = true;
    await this.append({ type: 'end', time: new Date().toISOString(), status, ...(error === undefined ? {} : { error }) });
  }
}

/** lab-plan.json of a lab folder already claimed: what `lab --resume` continues. */
export async function writeLabPlan(labDir: string, plan: LabPlan): Promise<void> {
  await writeFile(labFiles(labDir).plan, json(checkRunValue(LabPlanSchema, plan, labFiles(labDir).plan)));
}

/** lab.json: the lab's table. */
export async function writeLabTable(labDir: string, rows: LabRow[]): Promise<void> {
  await writeFile(labFiles(labDir).table, json(checkRunValue(LabTableSchema, rows, labFiles(labDir).table)));
}
