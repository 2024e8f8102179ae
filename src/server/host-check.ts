// Guards a loopback-bound server against DNS rebinding: requests must name an allowed host in their Host header.
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-errors.js';

/** Names that always mean this machine. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** The host name of a Host header without its port and IPv6 brackets, lower-cased; null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(header.trim());
  if (match === null) return null;
  return (match[1] ?? match[2]).toLowerCase().replace(/\.$/, '');
}

/**
 * Rejects, with 403 and code FORBIDDEN_HOST, every request whose Host header is not one of `allowed`, and every
 * request with more than one Host header (Node keeps only the first, which a proxy may not have checked). A web
 * page on another site that rebinds its own name to 127.0.0.1 then cannot read predictions or start trainings.
 */
export function registerHostCheck(app: FastifyInstance, allowed: readonly string[]): void {
  const names = new Set(allowed.map((name) => hostName(name) ?? name.toLowerCase()));
  const hint = 'open the server through one of those names, or start it with --allow-host <name> (for a proxy or a LAN name)';
  app.addHook('onRequest', async (request) => {
    const raw = request.raw.rawHeaders;
    const hosts = raw.filter((_, i) => i % 2 === 0 && raw[i].toLowerCase() === 'host').length;
    if (hosts > 1) {
      throw new ApiError(403, 'FORBIDDEN_HOST', `the request has ${hosts} Host headers; this server answers only one`, 'send a single Host header');
    }
    const name = hostName(request.headers.host);
    if (name !== null && (names.has(name) || isLoopbackAddress(name))) return;
    throw new ApiError(
      403,
      'FORBIDDEN_HOST',
      `Host header ${JSON.stringify(request.headers.host ?? '')} is not allowed: this server only answers to ${[...names].join(', ')}`,
      hint,
    );
  });
}
