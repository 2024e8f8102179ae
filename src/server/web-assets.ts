// The built web apps (web/dist, web/dist-site), read into memory at start and served by exact path, never from the disk per request.
import type { FastifyInstance } from 'fastify';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** URL path ("/assets/x.js") → file bytes, for every file under dir. */
export async function loadWebAssets(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const assets = new Map<string, Buffer>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    assets.set(`/${relative(dir, path).split(sep).join('/')}`, await readFile(path));
  }
  return assets;
}

/**
 * Serves the assets under `prefix` ('' for the dashboard at /, '/lab' for the static lab). Every page is
 * cross-origin isolated (COOP + COEP): the lab's wasm engine runs multi-threaded only there, and the pages
 * load nothing from other origins.
 */
export function registerWebRoutes(app: FastifyInstance, assets: Map<string, Buffer>, prefix = ''): void {
  if (prefix !== '') app.get(prefix, async (_request, reply) => reply.redirect(`${prefix}/`, 308)); // relative URLs need the slash
  app.get(`${prefix}/*`, async (request, reply) => {
    const path = request.url.split('?')[0].slice(prefix.length);
    const key = path === '/' ? '/index.html' : path;
    const bytes = assets.get(key);
    if (bytes === undefined) return reply.callNotFound();
    const type = CONTENT_TYPES[extname(key)] ?? 'application/octet-stream';
    return reply
      .type(type)
      .header('cache-control', key.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-cache')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-embedder-policy', 'require-corp')
      .send(bytes);
  });
}
