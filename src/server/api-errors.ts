// Turns every failure into an HTTP status and a JSON body with a stable code: {statusCode, code, message, hint?}.
import type { FastifyError, FastifyInstance } from 'fastify';
import { LabError, type LabErrorCode } from '../errors.js';

/** Codes a client may see: LabError codes plus the HTTP-level ones. */
export type ApiErrorCode = LabErrorCode | 'FORBIDDEN_HOST' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'NOT_FOUND' | 'INTERNAL';

export interface ApiErrorBody {
  statusCode: number;
  code: ApiErrorCode;
  message: string;
  hint?: string;
}

const STATUS_OF_LAB_CODE: Partial<Record<LabErrorCode, number>> = {
  BAD_INPUT: 400,
  BAD_ARGUMENT: 400,
  UNKNOWN_PRESET: 400,
  MODEL_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  RUN_INCOMPLETE: 409,
};

const CODE_OF_STATUS: Record<number, ApiErrorCode> = {
  400: 'BAD_INPUT',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The body sent for an error; unexpected errors are logged and reported as INTERNAL without details. */
export function toApiError(error: unknown): ApiErrorBody {
  if (error instanceof LabError) {
    const statusCode = STATUS_OF_LAB_CODE[error.code] ?? 500;
    return { statusCode, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  const fastifyError = error as Partial<FastifyError>;
  const statusCode = fastifyError.statusCode ?? 500;
  if (statusCode >= 400 && statusCode < 500) {
    const message = fastifyError.validation
      ? `request ${fastifyError.message}`
      : (fastifyError.message ?? 'bad request');
    return { statusCode, code: CODE_OF_STATUS[statusCode] ?? 'BAD_INPUT', message };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'internal error; see the server log' };
}

/** Installs the error and not-found handlers on the app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const body = toApiError(error);
    if (body.statusCode >= 500) request.log.error(error);
    return reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ApiErrorBody = {
      statusCode: 404,
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
      hint: 'see GET /v1/models for the prediction API and /api/runs for the dashboard API',
    };
    return reply.code(404).send(body);
  });
}
