// The AI Platform-style prediction API, /health, and the served models' files for in-browser prediction.
import type { FastifyInstance } from 'fastify';
import { LabError } from '../errors.js';
import { bodyToImages, decodePng, type PredictionInput } from '../predict/inputs.js';
import { findModel, type ServedModel } from './model-registry.js';

export interface PredictLimits {
  /** Most instances one request may hold. */
  maxInstances: number;
}

const PREDICT_VERB = ':predict';

const predictBodySchema = (maxInstances: number) => ({
  type: 'object',
  required: ['instances'],
  additionalProperties: false,
  properties: {
    instances: {
      type: 'array',
      minItems: 1,
      maxItems: maxInstances,
      items: { type: 'object', required: ['image'], additionalProperties: false, properties: { image: { type: 'array' } } },
    },
  },
});

export function registerPredictRoutes(app: FastifyInstance, models: Map<string, ServedModel>, limits: PredictLimits): void {
  app.addContentTypeParser('image/png', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/health', async () => ({
    status: 'ok',
    models: Object.fromEntries([...models].map(([name, served]) => [name, { ...served.batcher.stats }])),
  }));

  app.get('/v1/models', async () => ({
    models: [...models.values()].map((served) => ({
      name: served.name,
      inputShape: served.model.inputs[0].shape,
      params: served.model.countParams(),
      predict: `/v1/models/${served.name}${PREDICT_VERB}`,
      files: `/models/${served.name}/model.json`,
    })),
  }));

  // Google's "{name}:predict" form: the colon is part of the last segment, so split it off by hand.
  app.post<{ Params: { target: string }; Body: unknown }>(
    '/v1/models/:target',
    {
      schema: {
        body: {
          content: {
            'application/json': { schema: predictBodySchema(limits.maxInstances) },
            // A PNG is checked by decoding it.
            'image/png': { schema: {} },
          },
        },
      },
    },
    async (request) => {
      const { target } = request.params;
      if (!target.endsWith(PREDICT_VERB)) {
        throw new LabError('BAD_INPUT', `unknown method in ${JSON.stringify(target.slice(0, 80))}`, {
          hint: `POST /v1/models/<name>${PREDICT_VERB}`,
        });
      }
      const served = findModel(models, target.slice(0, -PREDICT_VERB.length));
      const input = await readRequestImages(request.body);
      const { classes, probabilities } = await served.batcher.submit(input.images, input.count);
      return {
        predictions: classes.map((k, i) => ({ classes: k, probabilities: probabilities[i] })),
        ...(input.note ? { note: input.note } : {}),
      };
    },
  );

  app.get<{ Params: { name: string; file: string } }>('/models/:name/:file', async (request, reply) => {
    const served = findModel(models, request.params.name);
    const bytes = served.files.get(request.params.file);
    if (bytes === undefined) {
      throw new LabError('MODEL_NOT_FOUND', `model ${served.name} has no file ${JSON.stringify(request.params.file.slice(0, 64))}`, {
        hint: `files: ${[...served.files.keys()].join(', ')}`,
      });
    }
    const type = request.params.file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return reply.type(type).header('cache-control', 'no-cache').send(bytes);
  });
}

/** A PNG upload (the schema does not apply to it), a JSON body whose outline the schema has checked, or none. */
async function readRequestImages(body: unknown): Promise<PredictionInput> {
  if (Buffer.isBuffer(body)) return decodePng(body, 'uploaded PNG');
  if (body === undefined || body === null) {
    throw new LabError('BAD_INPUT', 'request: no body', { hint: 'send {"instances": [{"image": 28×28}, …]} as application/json, or a PNG as image/png' });
  }
  return bodyToImages(body, 'request');
}
