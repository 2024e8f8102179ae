// Turns every failure into an HTTP status and a JSON body with a stable code: {statusCode, code, message, hint?}.
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { LabError, type LabErrorCode } from '../errors.js';

/** Codes a client may see: LabError codes plus the HTTP-level ones. */
export type ApiErrorCode =
  | LabErrorCode
  | 'FORBIDDEN_HOST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'TOO_MANY_TRAININGS'
  | 'INTERNAL';

export interface ApiErrorBody {
  statusCode: number;
  code: ApiErrorCode;
  message: string;
  hint?: string;
  /** On a 5xx only: the id the server log files the error under. */
  requestId?: string;
}

/** A refusal that only HTTP has (a foreign Host, too many trainings): its own status, code and hint. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const STATUS_OF_LAB_CODE: Partial<Record<LabErrorCode, number>> = {
  BAD_INPUT: 400,
  BAD_ARGUMENT: 400,
  UNKNOWN_PRESET: 400,
  MODEL_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  RUN_INCOMPLETE: 409,
  BAD_MODEL_FILE: 409,
};

const CODE_OF_STATUS: Record<number, ApiErrorCode> = {
  400: 'BAD_INPUT',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const HINT_OF_STATUS: Record<number, string> = {
  413: 'send fewer instances per request, or a smaller PNG',
  415: 'send application/json ({"instances": [{"image": 28×28}, …]}) or image/png',
};

/** The body sent for an error; unexpected errors are reported as INTERNAL with the request id and no details. */
export function toApiError(error: unknown, requestId: string): ApiErrorBody {
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof LabError) {
    const statusCode = STATUS_OF_LAB_CODE[error.code];
    if (statusCode !== undefined) {
      return { statusCode, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    }
  }
  const fastifyError = error as Partial<FastifyError>;
  const statusCode = error instanceof LabError ? 500 : (fastifyError.statusCode ?? 500);
  if (statusCode >= 400 && statusCode < 500) {
    const message = fastifyError.validation
      ? `request ${fastifyError.message}`
      : (fastifyError.message ?? 'bad request');
    const hint = HINT_OF_STATUS[statusCode];
    return { statusCode, code: CODE_OF_STATUS[statusCode] ?? 'BAD_INPUT', message, ...(hint ? { hint } : {}) };
  }
  return {
    statusCode: 500,
    code: 'INTERNAL',
    message: `internal error; the server log has it under request id ${requestId}`,
    hint: 'this is a bug in mnist-lab: please report it with that log entry',
    requestId,
  };
}

/**
 * fastify's schema messages ("body/instances/0 must NOT have additional properties"), with the name of the
 * unknown key added, so the client sees which one to drop.
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const parts = errors.map((e) => {
    const extra = (e.params as { additionalProperty?: unknown }).additionalProperty;
    return `${dataVar}${e.instancePath} ${e.message}${typeof extra === 'string' ? ` (found ${JSON.stringify(extra)})` : ''}`;
  });
  return new Error(parts.join(', '));
}

/** Installs the error and not-found handlers on the app; every 5xx goes to the app's log with its request id. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const body = toApiError(error, request.id);
    if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed');
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
