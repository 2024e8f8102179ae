// Redis for the tuning queue: checks redis:// URLs, gives BullMQ its connection settings and closes what it made.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { LabError } from '../errors.js';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** redis://[user:password@]host:port[/db] → a connection target; the error names the flag and the rule. */
export function parseRedisUrl(url: string, flag = '--queue'): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LabError('BAD_ARGUMENT', `${flag} must be a URL like redis://HOST:PORT; got ${JSON.stringify(url)}`, {
      hint: 'e.g. --queue redis://127.0.0.1:6379 (start Redis with `redis-server`)',
    });
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (parsed.protocol !== 'redis:' || !parsed.hostname || !Number.isInteger(db) || db < 0) {
    throw new LabError('BAD_ARGUMENT', `${flag} must be a URL like redis://HOST:PORT[/DB]; got ${JSON.stringify(url)}`, {
      hint: 'only plain redis:// is supported (use an SSH tunnel or a private network for remote Redis)',
    });
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

/** ioredis's own back-off (at most 2 s), not BullMQ's (up to 20 s): back at work soon after a Redis outage. */
const retryDelayMs = (attempt: number) => Math.min(attempt * 50, 2000);

/**
 * The Redis connections of one tuner or worker: the settings each BullMQ object connects with, and a close that
 * ends them all promptly, also when Redis has gone.
 */
export class RedisConnections {
  private closing = false;
  /** When every reconnect attempt scheduled so far will have started. */
  private reconnectsStartedBy = 0;

  constructor(
    private readonly url: string,
    private readonly flag = '--queue',
  ) {}

  /**
   * Settings for one BullMQ Queue, QueueEvents or Worker. Settings, not a connection: BullMQ closes the connections it
   * makes itself, but leaves one it was given open, and an open connection keeps the process alive. (BullMQ's CommonJS
   * build, the one Node loads, makes the ioredis clients from settings; its ESM build could not.)
   */
  settings(): RedisOptions {
    return {
      ...parseRedisUrl(this.url, this.flag),
      // No per-request retry limit, as BullMQ requires.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => {
        // Once closing, a lost connection ends instead of waiting for Redis to come back.
        if (this.closing) return null;
        const delay = retryDelayMs(attempt);
        this.reconnectsStartedBy = Math.max(this.reconnectsStartedBy, Date.now() + delay);
        return delay;
      },
    };
  }

  /** Closes BullMQ objects made with these settings. */
  async close(objects: { close(): Promise<void> }[]): Promise<void> {
    this.closing = true;
    // ioredis cannot disconnect a connection that waits to reconnect (redis/ioredis#1247: close() would wait forever for
    // Redis to return). Let each waiting one make its last attempt first: it then ends, or is back and closes normally.
    const wait = this.reconnectsStartedBy + 20 - Date.now();
    if (wait > 0) await sleep(wait);
    await Promise.allSettled(objects.map((o) => o.close()));
  }
}

/** Checks that Redis answers PING within `timeoutMs`; the error names the flag and says how to start Redis. */
export async function pingRedis(url: string, flag = '--queue', timeoutMs = 10_000): Promise<void> {
  const client = new Redis({
    ...parseRedisUrl(url, flag),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // reported by the rejected connect/ping below
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new LabError('BAD_ARGUMENT', `${flag} ${url}: cannot reach Redis: ${(error as Error).message}`, {
      hint: 'start it with `redis-server` (see docs/tuning.md) and check host, port, password and firewall',
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}

/**
 * `ready` (a BullMQ object's waitUntilReady), or an INTERRUPTED error as soon as `signal` aborts: with Redis gone,
 * waiting to be ready never ends, and Ctrl-C must still end the command.
 */
export async function readyUnlessAborted(ready: Promise<unknown>, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (!signal) {
    await ready;
    return;
  }
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new LabError('INTERRUPTED', `${what} stopped while connecting to Redis`, { hint: 'nothing ran; start it again when Redis answers', exitCode: 130 }));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([ready, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
