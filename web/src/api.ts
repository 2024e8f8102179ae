// Typed calls to the mnist-lab server; an error response becomes an Error carrying the server's message.
import type { ApiErrorBody } from '../../src/server/api-errors.js';

export async function getJson<T>(path: string): Promise<T> {
  return readResponse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return readResponse<T>(response);
}

async function readResponse<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = body as Partial<ApiErrorBody> | null;
    const hint = error?.hint ? ` (${error.hint})` : '';
    throw new Error(`${error?.code ?? response.status}: ${error?.message ?? response.statusText}${hint}`);
  }
  return body as T;
}
