// A run's true status: its last end record, else whether the process that writes it still lives (process.json).
import { hostname } from 'node:os';
import { hasCheckpoint } from '../run/checkpoints.js';
import { runFiles } from '../run/layout.js';
import { ProcessInfoSchema, type HistoryRecord, type ProcessInfo, type RunMetrics } from '../run/schema.js';
import { readContained } from './contained-files.js';

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/**
 * For a run this server started (or a step of a lab it started): whether its child process still runs.
 * Undefined for every other run, whose process.json then tells.
 */
export type LaunchedCheck = (id: string) => boolean | undefined;

/**
 * The last end record's status; else metrics.json's (runs from before end records); else `running` while the
 * writing process lives; else `interrupted` when a checkpoint can resume it and `failed` when none can.
 */
export async function runStatus(
  runDir: string,
  history: HistoryRecord[],
  metrics: RunMetrics | null,
  launchedAlive: boolean | undefined,
): Promise<RunStatus> {
  const end = history.findLast((r) => r.type === 'end');
  if (end?.type === 'end') return end.status;
  if (metrics !== null) return 'completed';
  if (await processAlive(runDir, launchedAlive)) return 'running';
  return (await hasCheckpoint(runFiles(runDir).checkpoints)) ? 'interrupted' : 'failed';
}

/**
 * Whether the process writing the run lives: this server's own child when it started the run, else the pid
 * of process.json when it names this machine. A run folder without process.json (from before it, or not
 * claimed yet) and a process on another machine, which no pid check can see, count as gone.
 */
export async function processAlive(runDir: string, launchedAlive: boolean | undefined): Promise<boolean> {
  if (launchedAlive !== undefined) return launchedAlive;
  const marker = parseMarker(await readContained(runDir, runFiles(runDir).process));
  return marker !== null && marker.hostname === hostname() && pidAlive(marker.pid);
}

function parseMarker(bytes: Buffer | null): ProcessInfo | null {
  try {
    const parsed = ProcessInfoSchema.safeParse(JSON.parse(bytes?.toString('utf8') ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
