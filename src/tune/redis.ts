// Redis for the tuning queue: checks redis:// URLs and makes ioredis connections that BullMQ can drive.
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

/** A new ioredis connection to the URL's server, set up as BullMQ requires (no per-request retry limit). */
export function redisConnection(url: string, flag = '--queue'): Redis {
  const target = parseRedisUrl(url, flag);
  return new Redis({ ...target, maxRetriesPerRequest: null });
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
