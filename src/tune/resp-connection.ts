// A minimal Redis connection (RESP2 over TCP) with the shape of Bun's RedisClient, so BullMQ's own Bun adapter can drive it: the installed bullmq ships no Redis driver and ioredis is not installed.
import { createConnection, type Socket } from 'node:net';
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

type Reply = string | number | null | Error | Reply[];
type Parsed = { value: Reply; next: number } | null;

const CRLF = Buffer.from('\r\n');

/** Parses one RESP2 reply at `pos`; null when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, pos: number): Parsed {
  if (pos >= buf.length) return null;
  const lineEnd = buf.indexOf(CRLF, pos);
  if (lineEnd < 0) return null;
  const line = buf.toString('utf8', pos + 1, lineEnd);
  let next = lineEnd + 2;
  switch (String.fromCharCode(buf[pos])) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new Error(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buf.length < next + length + 2) return null;
      return { value: buf.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: Reply[] = [];
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return null;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${buf[pos]}`);
  }
}

function encodeCommand(command: string, args: readonly unknown[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length + 1}\r\n`)];
  for (const arg of [command, ...args]) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(arg === null || arg === undefined ? '' : String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** One TCP connection; replies come back in request order, so pending commands are a FIFO. */
export class RespConnection {
  connected = false;
  onconnect: () => void = () => {};
  onclose: (error?: Error) => void = () => {};
  onerror: (error: Error) => void = () => {};
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  private closedByUser = false;

  constructor(readonly target: RedisTarget) {}

  get url(): string {
    return `redis://${this.target.host}:${this.target.port}/${this.target.db}`;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: this.target.host, port: this.target.port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      let opened = false;
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.on('error', (error) => {
        if (!opened) reject(error);
        else this.onerror(error);
      });
      socket.on('close', () => this.closed(opened ? new Error('Connection closed') : undefined));
      socket.on('connect', () => {
        opened = true;
        const { password, username, db } = this.target;
        const auth = password ? this.write('AUTH', username ? [username, password] : [password]) : Promise.resolve();
        const select = db ? this.write('SELECT', [db]) : Promise.resolve();
        Promise.all([auth, select]).then(
          () => {
            this.connected = true;
            this.onconnect();
            resolve();
          },
          (error: Error) => {
            reject(error);
            socket.destroy();
          },
        );
      });
    });
  }

  send<T = unknown>(command: string, args: readonly unknown[]): Promise<T> {
    if (!this.connected) return Promise.reject(new Error('Connection closed'));
    return this.write(command, args) as Promise<T>;
  }

  get(key: string): Promise<string | null> {
    return this.send('GET', [key]);
  }

  smembers(key: string): Promise<string[]> {
    return this.send('SMEMBERS', [key]);
  }

  incr(key: string): Promise<number> {
    return this.send('INCR', [key]);
  }

  close(): void {
    this.closedByUser = true;
    this.socket?.end();
    this.socket?.destroy();
  }

  async duplicate(): Promise<this> {
    return new RespConnection(this.target) as this;
  }

  private write(command: string, args: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket?.write(encodeCommand(command, args));
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const reply = parseReply(this.buffer, pos);
      if (!reply) break;
      pos = reply.next;
      const waiter = this.pending.shift();
      if (!waiter) continue;
      if (reply.value instanceof Error) waiter.reject(reply.value);
      else waiter.resolve(reply.value);
    }
    this.buffer = this.buffer.subarray(pos);
  }

  private closed(error: Error | undefined): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = null;
    for (const waiter of this.pending.splice(0)) waiter.reject(new Error('Connection closed'));
    if (wasConnected || this.closedByUser) this.onclose(this.closedByUser ? undefined : error);
  }
}

/** Checks that Redis answers PING within `timeoutMs`; the error names the flag and says how to start Redis. */
export async function pingRedis(url: string, flag = '--queue', timeoutMs = 10_000): Promise<void> {
  const connection = new RespConnection(parseRedisUrl(url, flag));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([connection.connect().then(() => connection.send('PING', [])), timeout]);
  } catch (error) {
    throw new LabError('BAD_ARGUMENT', `${flag} ${url}: cannot reach Redis: ${(error as Error).message}`, {
      hint: 'start it with `redis-server` (see docs/tuning.md) and check host, port, password and firewall',
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    connection.close();
  }
}
