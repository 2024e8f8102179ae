// The dashboard's API: presets, runs, one run's details, its live history as server-sent events, starting a training.
import type { FastifyInstance } from 'fastify';
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors.js';
import { runFiles } from '../run/layout.js';
import { LIMITS } from '../run/limits.js';
import { containedFileNames } from './contained-files.js';
import { tailHistory } from './history-tail.js';
import { processAlive } from './run-status.js';
import { findRunDir, listRuns, readRunDetail, readRunPicture, readRunReport, readRunStatus, type RunSummary } from './runs.js';
import type { ServedModel } from './model-registry.js';
import type { LaunchedRun, TrainingKnobs, TrainingLauncher, TrainRequest } from './training-launcher.js';

export interface PresetInfo {
  name: string;
  title?: string;
  explain?: string;
}

export interface RunRoutesOptions {
  runsDir: string;
  launcher: TrainingLauncher;
  /** Presets the dashboard offers and POST /api/runs accepts; empty = let the CLI judge the name. */
  presets: readonly PresetInfo[];
  /** Serves a model folder under a name for the prediction API and the pad (loads it once). */
  serveModel: (name: string, dir: string) => Promise<ServedModel>;
  /** SSE polling interval and heartbeat, in ms. */
  pollMs: number;
  heartbeatMs: number;
}

const startSchema = {
  type: 'object',
  required: ['preset'],
  additionalProperties: false,
  properties: {
    preset: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
    epochs: { type: 'integer', minimum: LIMITS.epochs.min, maximum: LIMITS.epochs.max },
    steps: { type: 'integer', minimum: LIMITS.steps.min, maximum: LIMITS.steps.max },
    limit: { type: 'integer', minimum: LIMITS.limit.min, maximum: LIMITS.limit.max },
  },
};

/** POST /api/labs: the knobs of POST /api/runs, without the preset. */
const labSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { epochs: startSchema.properties.epochs, steps: startSchema.properties.steps, limit: startSchema.properties.limit },
};

type IdParams = { Params: { id: string } };

export function registerRunRoutes(app: FastifyInstance, options: RunRoutesOptions): void {
  const { runsDir, launcher } = options;
  const ownProcess = (id: string) => launcher.running(id);

  app.get('/api/presets', async () => ({ presets: options.presets }));

  app.get('/api/runs', async () => {
    const runs = await listRuns(runsDir, ownProcess);
    const starting = launcher
      .all()
      .filter((run) => run.kind === 'train' && !runs.some((r) => r.id === run.id))
      .map(startingSummary);
    return { runs: [...starting, ...runs] };
  });

  app.get<IdParams>('/api/runs/:id', async (request) => {
    const launched = launcher.get(request.params.id);
    const process = launched ? { pid: launched.pid, exitCode: launched.exitCode, log: launched.log } : null;
    try {
      return { ...(await readRunDetail(runsDir, request.params.id, ownProcess)), process };
    } catch (error) {
      if (launched === undefined) throw error;
      return { ...startingSummary(launched), config: null, history: [], pictures: [], hasReport: false, hasModel: false, process };
    }
  });

  app.post<{ Body: TrainRequest }>('/api/runs', { schema: { body: startSchema } }, async (request, reply) => {
    const { preset } = request.body;
    if (options.presets.length > 0 && !options.presets.some((p) => p.name === preset)) {
      throw new LabError('UNKNOWN_PRESET', `unknown preset ${JSON.stringify(preset)}`, {
        hint: `presets: ${options.presets.map((p) => p.name).join(', ')}`,
      });
    }
    const run = launcher.start(request.body);
    return reply.code(201).send({ id: run.id, pid: run.pid, events: `/api/runs/${run.id}/events` });
  });

  // The whole ladder, as `mnist-lab lab`: its steps show up in GET /api/runs as <id>/<preset> when they start.
  app.post<{ Body: TrainingKnobs }>('/api/labs', { schema: { body: labSchema } }, async (request, reply) => {
    const lab = launcher.startLab(request.body);
    return reply.code(201).send({ id: lab.id, pid: lab.pid, steps: options.presets.filter((p) => /^\d\d-/.test(p.name)).map((p) => `${lab.id}/${p.name}`) });
  });

  app.get<IdParams>('/api/labs/:id', async (request) => {
    const lab = launcher.get(request.params.id);
    if (lab?.kind !== 'lab') {
      throw new LabError('RUN_NOT_FOUND', `this server started no lab ${JSON.stringify(request.params.id.slice(0, 128))}`, {
        hint: 'POST /api/labs starts one',
      });
    }
    return { id: lab.id, pid: lab.pid, exitCode: lab.exitCode, log: lab.log.slice(-20) };
  });

  // The pad draws with a finished run's model: it joins the served models as <id> with each "/" as ".".
  app.post<IdParams>('/api/runs/:id/model', async (request) => {
    const { id } = request.params;
    const detail = await readRunDetail(runsDir, id, ownProcess);
    if (!detail.hasModel) {
      throw new LabError('RUN_INCOMPLETE', `run ${id} has no saved model yet (status ${detail.status})`, {
        hint: 'a run saves its model when training completes; resume an interrupted one with `mnist-lab train --resume`',
      });
    }
    const runDir = await findRunDir(runsDir, id);
    const modelDir = runFiles(runDir).model;
    if (!(await onlyRegularFiles(runDir, modelDir))) {
      throw new LabError('BAD_MODEL_FILE', `run ${id}: its model folder holds a symlink or a folder, which this server does not follow`, {
        hint: 'copy the model files themselves into <run>/model',
      });
    }
    const served = await options.serveModel(id.replaceAll('/', '.'), modelDir);
    return { name: served.name, predict: `/v1/models/${served.name}:predict`, files: `/models/${served.name}/model.json` };
  });

  app.get<IdParams>('/api/runs/:id/events', async (request, reply) => {
    const { id } = request.params;
    const started = launcher.get(id);
    const dir = started?.dir ?? (await findRunDir(runsDir, id));
    const lastEventId = Number(request.headers['last-event-id']);
    const fromOffset = Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0;
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    stream.write('retry: 2000\n\n');
    const abort = new AbortController();
    stream.on('close', () => abort.abort());
    const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), options.heartbeatMs);
    const event = (type: string, data: unknown) => stream.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    try {
      const records = tailHistory(runFiles(dir).history, {
        root: dir,
        fromOffset,
        pollMs: options.pollMs,
        signal: abort.signal,
        stopWhen: async () => !(await processAlive(dir, ownProcess(id))),
      });
      let next = await records.next();
      for (; !next.done; next = await records.next()) stream.write(`id: ${next.value.offset}\ndata: ${JSON.stringify(next.value.record)}\n\n`);
      if (next.value === 'aborted') return;
      // Without an end record to read (the process is gone, or the client asked past the end), the stream
      // closes with the run's status, so a client knows there is nothing more to wait for.
      if (next.value !== 'end-record') event('status', { status: await readRunStatus(dir, id, ownProcess) });
      // A run this server started still writes metrics, pictures and the report after its "end" record:
      // its stream closes with an "exit" event once the process is gone.
      if (started !== undefined && next.value !== 'past-end' && (await processExit(started, options.pollMs, abort.signal))) {
        event('exit', { exitCode: started.exitCode, log: started.log.slice(-20) });
      }
    } catch (error) {
      request.log.error({ err: error }, 'event stream failed');
    } finally {
      clearInterval(heartbeat);
      stream.end();
    }
  });

  app.get<{ Params: { id: string; file: string } }>('/api/runs/:id/pictures/:file', async (request, reply) => {
    const bytes = await readRunPicture(runsDir, request.params.id, request.params.file);
    return reply.type('image/png').header('cache-control', 'no-cache').send(bytes);
  });

  app.get<IdParams>('/api/runs/:id/report', async (request, reply) => {
    const html = await readRunReport(runsDir, request.params.id);
    return reply.type('text/html; charset=utf-8').send(html);
  });
}

/** Whether every entry of dir is a regular file and dir lies inside root (see contained-files.ts). */
async function onlyRegularFiles(root: string, dir: string): Promise<boolean> {
  const [entries, regular] = await Promise.all([readdir(dir).catch(() => []), containedFileNames(root, dir)]);
  return regular.length === entries.length;
}

/** Resolves true once the process has exited, false if the client left first. */
async function processExit(run: LaunchedRun, pollMs: number, signal: AbortSignal): Promise<boolean> {
  while (run.exitCode === null) {
    try {
      await sleep(pollMs, undefined, { signal });
    } catch {
      return false;
    }
  }
  return true;
}

/** A run this server started whose folder does not exist yet (or never will, if the process failed). */
function startingSummary(run: LaunchedRun): RunSummary {
  return {
    id: run.id,
    preset: run.preset,
    status: run.exitCode !== null && run.exitCode !== 0 ? 'failed' : 'running',
    startedAt: null,
    epochsDone: 0,
    epochsPlanned: null,
    metrics: null,
  };
}
