// Reads a server-sent event stream to its end: each event's id, type and parsed data.
import { expect } from 'vitest';

export interface ServerEvent {
  id: string | undefined;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields of its own events
  data: any;
}

/**
 * Fetches `url` and reads the stream until the server closes it (the fetch gives up after `timeoutMs`, so a stream
 * that never ends fails the test); `onOpen` runs once the response has started, while the stream is read.
 */
export async function readEvents(url: string, options: { headers?: Record<string, string>; onOpen?: () => Promise<void>; timeoutMs?: number } = {}): Promise<ServerEvent[]> {
  const response = await fetch(url, { headers: options.headers, signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const opened = options.onOpen?.();
  const text = await response.text();
  await opened;
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      return { id: field('id'), event: field('event') ?? 'message', data: JSON.parse(field('data') as string) };
    });
}
