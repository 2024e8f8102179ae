// Builds the fastify app: prediction API, dashboard API and web app. It does not listen (main.ts does).
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { releaseFreeMemory } from '../engine/front-door.js';
import { formatSchemaErrors, installErrorHandlers } from './api-errors.js';
import { registerHostCheck } from './host-check.js';
import { registerIdleMemoryRelease } from './idle-memory.js';
import { loadServedModels, ModelLoader } from './model-registry.js';
import { registerPredictRoutes } from './predict-routes.js';
import { registerRunRoutes, type PresetInfo } from './run-routes.js';
import { TrainingLauncher } from './training-launcher.js';
import { loadWebAssets, registerWebRoutes } from './web-assets.js';

export interface ServerLimits {
  /** Largest request body, in bytes. */
  bodyBytes: number;
  /** Most instances in one predict request. */
  maxInstances: number;
  /** How long a predict request waits for others to share its model call, in ms. */
  batchWindowMs: number;
  /** Most images in one model call. */
  maxBatch: number;
  /** How often server-sent events look for new history lines, and the keep-alive interval, in ms. */
  pollMs: number;
  heartbeatMs: number;
  /** Most trainings started by POST /api/runs and /api/labs that run at once; more are answered 429. */
  trainings: number;
  /** How long no request must finish before the server hands the memory freed since back to the system, in ms. */
  idleReleaseMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyBytes: 4 * 1024 * 1024,
  maxInstances: 256,
  batchWindowMs: 2,
  maxBatch: 512,
  pollMs: 200,
  heartbeatMs: 15_000,
  // One per two cores: a training keeps a core or two busy, and the server must still answer.
  trainings: Math.max(1, Math.floor(availableParallelism() / 2)),
  idleReleaseMs: 1000,
};

/** The installed CLI: `node <repo>/bin/mnist-lab.js` (needs `npm run build`). */
export const DEFAULT_TRAIN_COMMAND: readonly string[] = [
  process.execPath,
  fileURLToPath(new URL('../../bin/mnist-lab.js', import.meta.url)),
];

export interface AppOptions {
  /** Served model name → model folder (model.json + weights). */
  models: Record<string, string>;
  /** Folder of run folders, for the dashboard API; without it /api/runs is absent. */
  runsDir?: string;
  /** Built web app (web/dist); without it only the APIs are served. */
  webDir?: string;
  /** Built static lab (web/dist-site, `npm run build:site`), served under /lab/. */
  siteDir?: string;
  /** Presets offered by the dashboard and accepted by POST /api/runs. */
  presets?: readonly PresetInfo[];
  /** argv prefix that runs the CLI for POST /api/runs; `train <preset> --out <dir> …` is appended. */
  trainCommand?: readonly string[];
  limits?: Partial<ServerLimits>;
  /** Host-header names the server answers to; absent = any (main.ts sets loopback names on a loopback bind). */
  allowedHosts?: readonly string[];
  /** Where every 5xx is logged, one JSON line each with its request id (`serve`: stderr); absent = no log. */
  log?: Writable;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Server-sent event streams hold their sockets open, so close() must end them rather than wait.
  // Bodies are checked strictly: no type coercion, and unknown keys are rejected rather than dropped.
  // The log is at level error: it holds the 5xx answers (a bug each), not every request.
  const app = Fastify({
    logger: options.log ? { level: 'error', stream: options.log } : false,
    genReqId: () => randomUUID(),
    bodyLimit: limits.bodyBytes,
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    schemaErrorFormatter: formatSchemaErrors,
  });
  // Bodies are JSON or PNG (predict-routes.ts); any other type, text included, is answered 415.
  app.removeContentTypeParser('text/plain');
  installErrorHandlers(app);
  if (options.allowedHosts !== undefined) registerHostCheck(app, options.allowedHosts);
  registerIdleMemoryRelease(app, limits.idleReleaseMs, releaseFreeMemory);
  const batching = { windowMs: limits.batchWindowMs, maxBatch: limits.maxBatch };
  const models = await loadServedModels(options.models, batching);
  const loader = new ModelLoader(models, batching);
  registerPredictRoutes(app, models, { maxInstances: limits.maxInstances });
  if (options.runsDir !== undefined) {
    const launcher = new TrainingLauncher(options.runsDir, options.trainCommand ?? DEFAULT_TRAIN_COMMAND, limits.trainings);
    registerRunRoutes(app, {
      runsDir: options.runsDir,
      launcher,
      presets: options.presets ?? [],
      serveModel: (name, dir) => loader.serve(name, dir),
      pollMs: limits.pollMs,
      heartbeatMs: limits.heartbeatMs,
    });
    app.addHook('onClose', async () => launcher.interruptAll());
  }
  if (options.webDir !== undefined) registerWebRoutes(app, await loadWebAssets(options.webDir));
  if (options.siteDir !== undefined) registerWebRoutes(app, await loadWebAssets(options.siteDir), '/lab');
  app.addHook('onClose', async () => {
    for (const served of models.values()) {
      served.predictor.dispose();
      served.model.dispose();
    }
  });
  return app;
}
