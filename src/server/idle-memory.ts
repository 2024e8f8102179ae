// Once the server has been idle a moment after a burst of requests, hands the memory the burst freed back to the system.
import type { FastifyInstance } from 'fastify';

/**
 * Calls `release` once no request has finished for `idleMs`: never during steady traffic, once after each burst.
 * Without it the C allocator keeps a burst's freed pages for reuse and the server's RSS stays at its busiest size
 * (bench/soak.ts measures it).
 */
export function registerIdleMemoryRelease(app: FastifyInstance, idleMs: number, release: () => Promise<unknown>): void {
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onResponse', async () => {
    if (timer) {
      timer.refresh();
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      void release();
    }, idleMs).unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearTimeout(timer);
    timer = null;
  });
}
