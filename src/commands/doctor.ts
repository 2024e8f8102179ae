// `mnist-lab doctor`: which engine runs, with how many threads, oneDNN's version and the CPU's features.
import * as tf from '@tensorflow/tfjs';
import { availableParallelism, cpus } from 'node:os';
import { initBackend } from '../engine/backend.js';
import { nativeStatus } from '../engine/native/index.js';
import { printJson, type CommandIo } from './io.js';

export interface DoctorReport {
  backend: string;
  threads: number;
  note: string | null;
  native: { ok: boolean; onednnVersion?: string; cpuFeatures?: string[]; reason?: string };
  cpu: { model: string; cores: number };
  node: string;
  tfjs: string;
}

export async function doctorCommand(opts: { json?: boolean; threads?: number }, io: CommandIo): Promise<DoctorReport> {
  const info = await initBackend({ backend: 'auto', threads: opts.threads });
  const status = nativeStatus();
  const report: DoctorReport = {
    backend: info.name,
    threads: info.threads,
    note: info.note ?? null,
    native: status.ok
      ? { ok: true, onednnVersion: status.onednnVersion, cpuFeatures: status.cpuFeatures }
      : { ok: false, reason: status.reason },
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores: availableParallelism() },
    node: process.version,
    tfjs: tf.version.tfjs,
  };
  if (opts.json) {
    printJson(io, report);
    return report;
  }
  const lines = [
    `backend      ${report.backend} (${report.threads} thread${report.threads === 1 ? '' : 's'})`,
    `native       ${status.ok ? `ok, oneDNN ${status.onednnVersion}` : `off: ${status.reason}`}`,
    ...(status.ok ? [`cpu features ${status.cpuFeatures.join(' ')}`] : []),
    `cpu          ${report.cpu.model}, ${report.cpu.cores} cores`,
    `node         ${report.node}, TensorFlow.js ${report.tfjs}`,
  ];
  if (report.note) lines.push(`note         ${report.note}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return report;
}
