// The page's main-thread tasks from a Chromium trace, with the CPU time each used: a freeze is the page's own work, not a busy machine's.
import type { Browser, Page } from 'playwright-core';

export interface MainThreadTask {
  /** Milliseconds from the mark the measure started at. */
  start: number;
  /** Wall-clock milliseconds: includes time the operating system gave other processes. */
  wall: number;
  /** Milliseconds of CPU the page's main thread spent in the task. */
  cpu: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Starts a trace of `page`; the returned function stops it and gives the main thread's tasks that ended after the
 * page's `performance.mark(mark)`. Wall time alone made the "no task over 100 ms" check fail on a loaded CI machine
 * (tasks of 10 ms of CPU stretched past 100 ms by other test files), so the check reads each task's thread time.
 */
export async function traceMainThread(browser: Browser, page: Page, mark: string): Promise<() => Promise<MainThreadTask[]>> {
  await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline', 'blink.user_timing'] });
  return async () => {
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const marked = traceEvents.find((e) => e.name === mark && e.ph !== 'M');
    if (!marked) throw new Error(`the trace has no performance.mark('${mark}')`);
    const main = traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === marked.pid);
    if (!main) throw new Error(`the trace names no main thread for the renderer (pid ${marked.pid}) that made the mark`);
    return traceEvents
      .filter((e) => e.pid === main.pid && e.tid === main.tid && e.name === 'RunTask' && e.ph === 'X' && e.ts + (e.dur ?? 0) >= marked.ts)
      .map((e) => ({ start: (e.ts - marked.ts) / 1000, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? 0) / 1000 }));
  };
}
