/**
 * The idle collector: one collection after a spell of work once the event
 * loop has gone quiet, none while nothing happens, none without a collector.
 */
import { describe, expect, it } from 'vitest';
import { collectWhenIdle } from '../../src/api/idle-gc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* work */
  }
}

describe('collectWhenIdle', () => {
  it('collects after work, twice, when the loop is quiet again, and not again until more work', async () => {
    let collections = 0;
    let collected = (): void => {};
    const stop = collectWhenIdle({
      intervalMs: 200,
      busyShare: 0.25,
      gc: () => {
        collections++;
        collected();
      },
    });
    try {
      // Whatever the test runner did before counts as work: let that settle first.
      await sleep(700);
      const before = collections;
      await sleep(700);
      expect(collections).toBe(before);
      const firstCollection = new Promise<void>((resolve) => {
        collected = resolve;
      });
      busy(150);
      await firstCollection;
      expect(collections).toBeGreaterThan(before);
      await sleep(700);
      expect(collections).toBe(before + 2);
      await sleep(700);
      expect(collections).toBe(before + 2);
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
