// Gives the event loop a turn between training steps (Ctrl-C, readers, the page), without a timer's minimum delay.

type Immediate = (callback: () => void) => unknown;

/** Resolves after pending events ran: setImmediate in Node, a MessageChannel round trip in browsers and workers. */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof immediate === 'function') return new Promise((resolve) => void immediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
