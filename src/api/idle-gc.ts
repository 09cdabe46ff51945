/**
 * A full garbage collection once virtnetd has gone quiet after work, so an
 * idle daemon gives back what a burst of requests left in V8's heap; V8's
 * own memory reducer may wait much longer (measured: after 200 network
 * starts the daemon still held the burst's garbage 20 s later). Then, once
 * per quiet period, the page-out of the daemon's code (host/pageout.ts):
 * after the collections, which run code of their own, and once the daemon
 * has been quiet for `pageOutAfterMs`.
 *
 * Every `intervalMs` it looks at how busy the event loop was: a period
 * busier than `busyShare` marks work (the daemon's start counts as work);
 * the first quiet period after work collects, twice (the second gives back
 * what the first one's sweeping freed), and pages out after the second if
 * the loop stayed quiet in between (otherwise the next quiet period does);
 * the two periods after a page-out are not looked at either, so the code
 * that comes back is not taken for work (which would page out again). The
 * listeners (REST, libvirt RPC) count the requests they take: a request in
 * any period, looked at or not, is work, so a burst right after a page-out
 * is given back too. With `pageOutAfterMs`, only requests put the page-out
 * off, between the collections as well. The collections need node's --expose-gc, which
 * bin/virtnetd passes; with neither a collector nor a page-out this does
 * nothing.
 */
import { performance } from 'node:perf_hooks';

interface IdleCollectorOptions {
  intervalMs?: number;
  busyShare?: number;
  /** The collector; globalThis.gc by default. */
  gc?: () => void;
  /** Told after each collection, with how long it took. */
  onCollect?: (ms: number) => void;
  /** Run once per quiet period after the collections (host/pageout.ts); never while busy. */
  pageOut?: () => void;
  /** How long the daemon must have been quiet before the page-out (0: right after the collections). */
  pageOutAfterMs?: number;
  /** How many requests the listeners have taken so far: a period in which it grew had work. */
  requestsTaken?: () => number;
}

/** Start watching; returns the function that stops it. */
export function collectWhenIdle(options: IdleCollectorOptions = {}): () => void {
  const found = options.gc ?? (globalThis as { gc?: () => void }).gc;
  const gc = typeof found === 'function' ? found : undefined;
  const pageOut = options.pageOut;
  if (gc === undefined && pageOut === undefined) return () => {};
  const busyShare = options.busyShare ?? 0.01;
  const intervalMs = options.intervalMs ?? 3000;
  const collect = (): void => {
    if (gc === undefined) return;
    const t0 = performance.now();
    gc();
    options.onCollect?.(performance.now() - t0);
  };
  const requestsTaken = options.requestsTaken ?? (() => 0);
  const pageOutAfterMs = options.pageOutAfterMs ?? 0;
  let last = performance.eventLoopUtilization();
  let lastRequests = requestsTaken();
  // The start was work: its garbage and the code it ran are given back once the daemon is quiet.
  let worked = true;
  /** How many of the next periods are not looked at. */
  let skip = 0;
  /**
   * How long since the last request, in whole periods. The page-out waits for `pageOutAfterMs` of it:
   * its cost falls on the next request, and the daemon's own background work (timers, watches) would
   * otherwise put it off for good.
   */
  let sinceRequestMs = 0;
  /** The collections of this quiet spell are done; the page-out waits for `pageOutAfterMs` without requests. */
  let pageOutDue = false;
  let again: NodeJS.Timeout | undefined;
  /** The collections of a quiet spell are done and no request came for `pageOutAfterMs`. */
  const pageOutReady = (): boolean => pageOut !== undefined && pageOutDue && sinceRequestMs >= pageOutAfterMs;
  const pageOutIfDue = (): void => {
    if (!pageOutReady()) return;
    pageOutDue = false;
    skip = 2;
    pageOut?.();
  };
  /** A period's work: collected at the next quiet period; a request also restarts the page-out's wait. */
  const sawWork = (request: boolean): void => {
    worked = true;
    sinceRequestMs = request ? 0 : sinceRequestMs + intervalMs;
  };
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const requests = requestsTaken();
    const requested = requests !== lastRequests;
    lastRequests = requests;
    // The period of a collection counts its own time as work, and those after a page-out the
    // code the daemon's timers bring back (the page-out's own cost): their busy share is not
    // looked at, but a request taken in them is work all the same.
    if (skip > 0) {
      skip--;
      if (requested) sawWork(true);
      else sinceRequestMs += intervalMs;
      return;
    }
    if (share > busyShare || requested) {
      sawWork(requested);
      return;
    }
    sinceRequestMs += intervalMs;
    // Collected after work, and again right before a page-out that has come due, so that it gives back
    // what the daemon's own background work left meanwhile too.
    if (!worked && !pageOutReady()) return;
    worked = false;
    skip = 1;
    collect();
    const quietSince = performance.eventLoopUtilization();
    // A second collection a little later gives back the pages the first one's sweeping freed;
    // then the page-out, unless work came in the meantime (the next quiet period does it then).
    again = setTimeout(
      () => {
        const requestedMeanwhile = requestsTaken() !== lastRequests;
        // With a wait, only requests put the page-out off, here too: the daemon's own work on a
        // period of its own (200 networks' timers) could otherwise fall between the collections
        // every time and keep the page-out off for good.
        const busy =
          requestedMeanwhile ||
          (pageOutAfterMs === 0 && performance.eventLoopUtilization(performance.eventLoopUtilization(), quietSince).utilization > busyShare);
        collect();
        if (pageOut === undefined) return;
        if (busy) {
          worked = true;
          if (requestedMeanwhile) sinceRequestMs = 0;
        } else {
          pageOutDue = true;
          pageOutIfDue();
        }
      },
      Math.min(500, intervalMs / 2),
    );
    again.unref();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(again);
  };
}
