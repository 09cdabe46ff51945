/**
 * The idle collector: one collection after a spell of work once the event
 * loop has gone quiet, none while nothing happens, none without a collector;
 * the page-out of the daemon's code once per quiet period, after the
 * collections, never while busy.
 * On vitest's fake clock, with the event loop's busy share scripted: nothing
 * here depends on how busy the machine is.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectWhenIdle } from '../../src/api/idle-gc.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Script the share of the event loop that was busy in the period now ending (what eventLoopUtilization(now, last) says). */
function scriptedLoop(): { busy: (share: number) => void } {
  let busyShare = 0;
  vi.spyOn(performance, 'eventLoopUtilization').mockImplementation(
    (a?: unknown) => ({ idle: 0, active: 0, utilization: a === undefined ? 0 : busyShare }) as ReturnType<typeof performance.eventLoopUtilization>,
  );
  return { busy: (share) => (busyShare = share) };
}

/**
 * collectWhenIdle on 200 ms periods (busy above a quarter): its collections and page-outs in `events`, the
 * requests it is told of in `requests`; `onGc` is told of each collection after it is recorded.
 */
function watched(options: { pageOutAfterMs?: number; onGc?: (events: readonly string[]) => void } = {}): {
  events: string[];
  requests: number;
  stop: () => void;
} {
  const { onGc, ...rest } = options;
  const w = { events: [] as string[], requests: 0, stop: () => {} };
  w.stop = collectWhenIdle({
    intervalMs: 200,
    busyShare: 0.25,
    ...rest,
    gc: () => {
      w.events.push('gc');
      onGc?.(w.events);
    },
    requestsTaken: () => w.requests,
    pageOut: () => w.events.push('page-out'),
  });
  return w;
}

describe('collectWhenIdle', () => {
  it('collects after work, twice, when the loop is quiet again, and not again until more work', async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    let collections = 0;
    const stop = collectWhenIdle({ intervalMs: 200, busyShare: 0.25, gc: () => collections++ });
    try {
      // The start was work: the first quiet period collects, twice.
      await vi.advanceTimersByTimeAsync(200);
      expect(collections).toBe(1);
      await vi.advanceTimersByTimeAsync(100);
      expect(collections).toBe(2);
      await vi.advanceTimersByTimeAsync(1300);
      expect(collections).toBe(2);
      // A period of work, then a quiet one: one collection at its end, the second half an interval later.
      loop.busy(0.6);
      await vi.advanceTimersByTimeAsync(200);
      expect(collections).toBe(2);
      loop.busy(0);
      await vi.advanceTimersByTimeAsync(200);
      expect(collections).toBe(3);
      await vi.advanceTimersByTimeAsync(100);
      expect(collections).toBe(4);
      await vi.advanceTimersByTimeAsync(1400);
      expect(collections).toBe(4);
      // Work below the threshold is no work.
      loop.busy(0.2);
      await vi.advanceTimersByTimeAsync(1400);
      expect(collections).toBe(4);
    } finally {
      stop();
    }
  });

  it('pages out once per quiet period, after both collections', async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    const events: string[] = [];
    const stop = collectWhenIdle({ intervalMs: 200, busyShare: 0.25, gc: () => events.push('gc'), pageOut: () => events.push('page-out') });
    try {
      await vi.advanceTimersByTimeAsync(2000);
      expect(events).toEqual(['gc', 'gc', 'page-out']);
      // Work, then quiet: the same again, once.
      loop.busy(0.6);
      await vi.advanceTimersByTimeAsync(600);
      loop.busy(0);
      await vi.advanceTimersByTimeAsync(2000);
      expect(events).toEqual(['gc', 'gc', 'page-out', 'gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it('never pages out while busy: work between the collections puts it off to the next quiet period', async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    const events: string[] = [];
    const stop = collectWhenIdle({ intervalMs: 200, busyShare: 0.25, gc: () => events.push('gc'), pageOut: () => events.push('page-out') });
    try {
      await vi.advanceTimersByTimeAsync(200);
      expect(events).toEqual(['gc']);
      // Requests come in before the second collection: no page-out now...
      loop.busy(0.6);
      await vi.advanceTimersByTimeAsync(100);
      expect(events).toEqual(['gc', 'gc']);
      // ...nor while they go on...
      await vi.advanceTimersByTimeAsync(1000);
      expect(events).toEqual(['gc', 'gc']);
      // ...but once they stop.
      loop.busy(0);
      await vi.advanceTimersByTimeAsync(1000);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it('does not take the code a page-out brings back for work (no page-out after page-out)', async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    const events: string[] = [];
    const stop = collectWhenIdle({
      intervalMs: 200,
      busyShare: 0.25,
      gc: () => events.push('gc'),
      pageOut: () => {
        events.push('page-out');
        // The next period is busy with what the timers bring back, then all is quiet again.
        loop.busy(0.6);
        setTimeout(() => loop.busy(0), 350);
      },
    });
    try {
      await vi.advanceTimersByTimeAsync(3000);
      expect(events).toEqual(['gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it('takes requests in the periods after a page-out for work: a burst right after it is paged out again', async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    const events: string[] = [];
    let requests = 0;
    const stop = collectWhenIdle({
      intervalMs: 200,
      busyShare: 0.25,
      gc: () => events.push('gc'),
      requestsTaken: () => requests,
      pageOut: () => {
        events.push('page-out');
        // Requests come in at once, while the periods after the page-out are not looked at.
        loop.busy(0.6);
        requests += 5;
        setTimeout(() => loop.busy(0), 150);
      },
    });
    try {
      await vi.advanceTimersByTimeAsync(200 + 100);
      expect(events).toEqual(['gc', 'gc', 'page-out']);
      // Then all is quiet: once the skipped periods are over, the work is given back.
      await vi.advanceTimersByTimeAsync(1000);
      expect(events).toEqual(['gc', 'gc', 'page-out', 'gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it('takes a request for work even when it barely shows in the event loop', async () => {
    vi.useFakeTimers();
    scriptedLoop();
    const w = watched();
    const { events, stop } = w;
    try {
      await vi.advanceTimersByTimeAsync(2000);
      expect(events).toEqual(['gc', 'gc', 'page-out']);
      w.requests++;
      await vi.advanceTimersByTimeAsync(2000);
      expect(events).toEqual(['gc', 'gc', 'page-out', 'gc', 'gc', 'page-out']);
      // A request between the two collections puts the page-out off to the next quiet period.
      events.length = 0;
      w.requests++;
      await vi.advanceTimersByTimeAsync(200 + 200 + 50);
      expect(events).toEqual(['gc']);
      w.requests++;
      await vi.advanceTimersByTimeAsync(50);
      expect(events).toEqual(['gc', 'gc']);
      await vi.advanceTimersByTimeAsync(2000);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it('pages out only once the daemon has been quiet for pageOutAfterMs; a request meanwhile starts the wait again', async () => {
    vi.useFakeTimers();
    scriptedLoop();
    const w = watched({ pageOutAfterMs: 1000 });
    const { events, stop } = w;
    try {
      // The collections come with the first quiet period, as always; the page-out waits, and comes
      // right after two more collections once due.
      await vi.advanceTimersByTimeAsync(300);
      expect(events).toEqual(['gc', 'gc']);
      await vi.advanceTimersByTimeAsync(600);
      expect(events).toEqual(['gc', 'gc']);
      await vi.advanceTimersByTimeAsync(200);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc', 'page-out']);
      // A request (seen at the next period's end): collected at the quiet period after it, and the
      // page-out waits 1000 ms of quiet again.
      events.length = 0;
      await vi.advanceTimersByTimeAsync(1000);
      w.requests++;
      await vi.advanceTimersByTimeAsync(200 + 200 + 100);
      expect(events).toEqual(['gc', 'gc']);
      // Another before the page-out came: the wait starts over.
      await vi.advanceTimersByTimeAsync(400);
      w.requests++;
      await vi.advanceTimersByTimeAsync(1000);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc']);
      await vi.advanceTimersByTimeAsync(300);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc', 'gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it("does not let the daemon's own background work put the page-out off: only requests restart its wait", async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    const { events, stop } = watched({ pageOutAfterMs: 1000 });
    try {
      await vi.advanceTimersByTimeAsync(300);
      expect(events).toEqual(['gc', 'gc']);
      // A timer's burst of work (no request) at 600 ms: collected after it, and the page-out still
      // comes 1000 ms after the last request (the start), after two collections of its own.
      await vi.advanceTimersByTimeAsync(200);
      loop.busy(0.6);
      await vi.advanceTimersByTimeAsync(200);
      loop.busy(0);
      await vi.advanceTimersByTimeAsync(400);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc']);
      await vi.advanceTimersByTimeAsync(200);
      expect(events).toEqual(['gc', 'gc', 'gc', 'gc', 'gc', 'gc', 'page-out']);
    } finally {
      stop();
    }
  });

  it('pages out once due even when background work falls between the collections every time', async () => {
    vi.useFakeTimers();
    const loop = scriptedLoop();
    // Work on a period that lines up with the collections (200 networks' log reads every 2 s against
    // the collector's 3 s periods): the loop is busy from each first collection to the second, and
    // quiet in every period the collector looks at.
    const { events, stop } = watched({
      pageOutAfterMs: 1000,
      onGc: (seen) => loop.busy(seen.filter((e) => e === 'gc').length % 2 === 1 ? 0.6 : 0),
    });
    try {
      await vi.advanceTimersByTimeAsync(1300);
      expect(events.at(-1)).toBe('page-out');
      expect(events.filter((e) => e === 'page-out')).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('pages out without a collector (node started without --expose-gc)', async () => {
    vi.useFakeTimers();
    scriptedLoop();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    let pageOuts = 0;
    const stop = collectWhenIdle({ intervalMs: 200, busyShare: 0.25, pageOut: () => pageOuts++ });
    try {
      await vi.advanceTimersByTimeAsync(2000);
      expect(pageOuts).toBe(1);
    } finally {
      stop();
    }
  });

  it('does nothing without a collector or a page-out', () => {
    const gc = (globalThis as { gc?: unknown }).gc;
    expect(gc).toBeUndefined();
    const stop = collectWhenIdle({ intervalMs: 10 });
    stop();
  });
});
