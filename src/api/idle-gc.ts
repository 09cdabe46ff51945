/**
 * A full garbage collection once virtnetd has gone quiet after work, so an
 * idle daemon gives back what a burst of requests left in V8's heap; V8's
 * own memory reducer may wait much longer (measured: after 200 network
 * starts the daemon still held the burst's garbage 20 s later).
 *
 * Every `intervalMs` it looks at how busy the event loop was: a period
 * busier than `busyShare` marks work; the first quiet period after work
 * collects, twice (the second gives back what the first one's sweeping
 * freed). Nothing is asked of the listeners (REST, libvirt RPC, events):
 * any work shows in the event loop. Needs node's --expose-gc, which
 * bin/virtnetd passes; without it this does nothing.
 */
import { performance } from 'node:perf_hooks';

interface IdleCollectorOptions {
  intervalMs?: number;
  busyShare?: number;
  /** The collector; globalThis.gc by default. */
  gc?: () => void;
  /** Told after each collection, with how long it took. */
  onCollect?: (ms: number) => void;
}

/** Start watching; returns the function that stops it. */
export function collectWhenIdle(options: IdleCollectorOptions = {}): () => void {
  const gc = options.gc ?? (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return () => {};
  const busyShare = options.busyShare ?? 0.01;
  const intervalMs = options.intervalMs ?? 3000;
  const collect = (): void => {
    const t0 = performance.now();
    gc();
    options.onCollect?.(performance.now() - t0);
  };
  let last = performance.eventLoopUtilization();
  let worked = false;
  let skip = false;
  let again: NodeJS.Timeout | undefined;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    // The period of a collection counts its own time as work: it is not looked at.
    if (skip) {
      skip = false;
      return;
    }
    if (share > busyShare) {
      worked = true;
      return;
    }
    if (!worked) return;
    worked = false;
    skip = true;
    collect();
    // A second collection a little later gives back the pages the first one's sweeping freed.
    again = setTimeout(collect, Math.min(500, intervalMs / 2));
    again.unref();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(again);
  };
}
