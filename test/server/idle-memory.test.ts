// The idle release: memory is handed back once after a burst of requests, never while requests keep coming, not after close.
import Fastify from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { registerIdleMemoryRelease } from '../../src/server/idle-memory.js';

it('releases once per burst, after the server has been idle for idleMs', async () => {
  const app = Fastify();
  app.get('/', async () => 'ok');
  let releases = 0;
  registerIdleMemoryRelease(app, 400, async () => (releases += 1));
  await app.ready();

  // A burst of 20 requests 30 ms apart: longer than idleMs in all, but never idle for it.
  for (let i = 0; i < 20; i++) {
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    await sleep(30);
  }
  expect(releases, 'no release during the burst').toBe(0);
  await sleep(700);
  expect(releases, 'one release after it').toBe(1);
  await sleep(700);
  expect(releases, 'none while nothing happens').toBe(1);

  await app.inject({ url: '/' });
  await sleep(700);
  expect(releases, 'one more after the next burst').toBe(2);

  await app.inject({ url: '/' });
  await app.close();
  await sleep(700);
  expect(releases, 'none after close').toBe(2);
});
