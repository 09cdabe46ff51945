/**
 * The idle collector: one collection after a spell of work once the event
 * loop has gone quiet, none while nothing happens, none without a collector.
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

describe('collectWhenIdle', () => {
  it('collects after work, twice, when the loop is quiet again, and not again until more work', async () => {
    vi.useFakeTimers();
    // The share of the event loop that was busy in the period now ending (what eventLoopUtilization(now, last) says).
    let busyShare = 0;
    vi.spyOn(performance, 'eventLoopUtilization').mockImplementation(
      (a?: unknown) => ({ idle: 0, active: 0, utilization: a === undefined ? 0 : busyShare }) as ReturnType<typeof performance.eventLoopUtilization>,
    );
    let collections = 0;
    const stop = collectWhenIdle({ intervalMs: 200, busyShare: 0.25, gc: () => collections++ });
    try {
      await vi.advanceTimersByTimeAsync(1400);
      expect(collections).toBe(0);
      // A period of work, then a quiet one: one collection at its end, the second half an interval later.
      busyShare = 0.6;
      await vi.advanceTimersByTimeAsync(200);
      expect(collections).toBe(0);
      busyShare = 0;
      await vi.advanceTimersByTimeAsync(200);
      expect(collections).toBe(1);
      await vi.advanceTimersByTimeAsync(100);
      expect(collections).toBe(2);
      await vi.advanceTimersByTimeAsync(1400);
      expect(collections).toBe(2);
      // Work below the threshold is no work.
      busyShare = 0.2;
      await vi.advanceTimersByTimeAsync(1400);
      expect(collections).toBe(2);
    } finally {
      stop();
    }
  });

  it('does nothing without a collector (node started without --expose-gc)', () => {
    const gc = (globalThis as { gc?: unknown }).gc;
    expect(gc).toBeUndefined();
    const stop = collectWhenIdle({ intervalMs: 10 });
    stop();
  });
});
