/**
 * The runtime's link reaper (src/driver/runtime/reaper.ts): bridge
 * deletions of concurrent stops go to the host together, a stop that is
 * alone goes at once, and announced stops are waited for only briefly.
 * On vitest's fake clock: nothing here waits for wall-clock time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RevertResult } from '../../src/host/link-transaction.js';
import { LinkReaper } from '../../src/driver/runtime/reaper.js';

/** Deletions that take `delayMs` on the fake clock, recorded as they start. */
function recorder(delayMs = 5): { calls: string[][]; del: (names: readonly string[]) => Promise<RevertResult> } {
  const calls: string[][] = [];
  return {
    calls,
    del: async (names) => {
      calls.push([...names]);
      await new Promise((r) => setTimeout(r, delayMs));
      return {
        failures: names
          .filter((n) => n.startsWith('bad'))
          .map((n) => ({ line: { netns: null, args: ['link', 'del', 'dev', n] }, reason: 'Operation not permitted' })),
      };
    },
  };
}

/** Lets the fake clock run (deletions finishing, lingering ending) until every timer has fired; then `p`'s outcome. */
async function settled<T>(p: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return p;
}

describe('LinkReaper', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('deletes a lone stop at once, and what arrives meanwhile together afterwards', async () => {
    const r = recorder();
    const reaper = new LinkReaper(r.del);
    const first = reaper.submit(['vbr1']);
    expect(r.calls).toEqual([['vbr1']]);
    const more = [reaper.submit(['vbr2']), reaper.submit(['vbr3', 'vbr4'])];
    expect(r.calls).toEqual([['vbr1']]);
    await settled(Promise.all([first, ...more]));
    expect(r.calls).toEqual([['vbr1'], ['vbr2', 'vbr3', 'vbr4']]);
  });

  it('waits for announced stops to hand in their links, then deletes them in one request', async () => {
    const r = recorder();
    const reaper = new LinkReaper(r.del, { lingerMs: 1000 });
    const tickets = [reaper.announce(), reaper.announce(), reaper.announce()];
    const a = tickets[0]!.delete(['vbr1']);
    await vi.advanceTimersByTimeAsync(999);
    expect(r.calls).toEqual([]);
    const b = tickets[1]!.delete(['vbr2']);
    tickets[2]!.withdraw();
    // The last announced stop withdrew: the deletion starts then, not at the end of the linger time.
    expect(r.calls).toEqual([['vbr1', 'vbr2']]);
    await settled(Promise.all([a, b]));
    expect(r.calls).toEqual([['vbr1', 'vbr2']]);
  });

  it('after a group of several, expects as many again (stops run N at a time), and is back to no waiting after a lone one', async () => {
    const r = recorder(2);
    const reaper = new LinkReaper(r.del, { lingerMs: 1000 });
    const tickets = [reaper.announce(), reaper.announce(), reaper.announce()];
    await settled(Promise.all(tickets.map((t, i) => t.delete([`vbr${i + 1}`]))));
    expect(r.calls).toEqual([['vbr1', 'vbr2', 'vbr3']]);
    // The next three arrive a little apart: they still go together.
    const next = [reaper.submit(['vbr4'])];
    await vi.advanceTimersByTimeAsync(5);
    next.push(reaper.submit(['vbr5']));
    await vi.advanceTimersByTimeAsync(5);
    next.push(reaper.submit(['vbr6']));
    await settled(Promise.all(next));
    expect(r.calls.at(-1)).toEqual(['vbr4', 'vbr5', 'vbr6']);

    const lone = new LinkReaper(r.del, { lingerMs: 20 });
    await settled(Promise.all([lone.submit(['a1']), lone.submit(['a2'])]));
    const t0 = Date.now();
    await settled(lone.submit(['a3'])); // expects two: waits the linger time once
    await settled(lone.submit(['a4'])); // after a lone one: at once
    // On the fake clock: the linger time at most once, and the two deletions (2 ms each).
    expect(Date.now() - t0).toBeLessThanOrEqual(20 + 2 * 2);
    expect(r.calls.slice(-2)).toEqual([['a3'], ['a4']]);
  });

  it('stops waiting after the linger time', async () => {
    const r = recorder();
    const reaper = new LinkReaper(r.del, { lingerMs: 20 });
    reaper.announce();
    const deleted = reaper.announce().delete(['vbr1']);
    await vi.advanceTimersByTimeAsync(19);
    expect(r.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.calls).toEqual([['vbr1']]);
    await settled(deleted);
    expect(r.calls).toEqual([['vbr1']]);
  });

  it('gives each stop the failures of its own links, and a host error to every stop of the request', async () => {
    const r = recorder();
    const reaper = new LinkReaper(r.del);
    const [mine, theirs] = await settled(Promise.all([reaper.submit(['vbr1']), reaper.submit(['bad2']), reaper.submit(['vbr3'])].slice(1)));
    expect(mine).toEqual([{ line: { netns: null, args: ['link', 'del', 'dev', 'bad2'] }, reason: 'Operation not permitted' }]);
    expect(theirs).toEqual([]);

    const broken = new LinkReaper(async () => {
      throw new Error('ip: not found');
    });
    const results = await settled(Promise.allSettled([broken.submit(['vbr1']), broken.submit(['vbr2'])]));
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    // The queue goes on after a failure.
    await expect(settled(new LinkReaper(r.del).submit(['vbr9']))).resolves.toEqual([]);
  });

  describe("when a stop's link no longer forwards (closed)", () => {
    /** A fake host watch: what started and ended, and a way to report a link closed. */
    function fakeWatch(): {
      starts: number;
      ends: number;
      report: (name: string) => void;
      watchClosing: (onClosed: (name: string) => void) => { close: () => Promise<void> };
    } {
      const w = {
        starts: 0,
        ends: 0,
        report: (_name: string) => {},
        watchClosing: (onClosed: (name: string) => void) => {
          w.starts++;
          w.report = onClosed;
          return {
            close: async () => {
              w.ends++;
              w.report = () => {};
            },
          };
        },
      };
      return w;
    }
    const state = async (p: Promise<unknown>): Promise<'pending' | 'settled'> => {
      let done = false;
      void p.then(() => (done = true));
      await vi.advanceTimersByTimeAsync(0);
      return done ? 'settled' : 'pending';
    };

    it('is told by the watch, while the deletion still runs', async () => {
      const r = recorder(100);
      const w = fakeWatch();
      const reaper = new LinkReaper(r.del, { watchClosing: w.watchClosing });
      const ticket = reaper.announce();
      const closed = ticket.closed('vbr1');
      const deleted = ticket.delete(['vbr1', 'vtap1']);
      await vi.advanceTimersByTimeAsync(10);
      expect(await state(closed)).toBe('pending');
      w.report('vbr2');
      expect(await state(closed)).toBe('pending');
      w.report('vbr1');
      expect(await state(closed)).toBe('settled');
      expect(await state(deleted)).toBe('pending');
      await settled(deleted);
    });

    it('without a watch, or when the watch says nothing: once the deletion is over, even a failed one', async () => {
      for (const watch of [undefined, fakeWatch()]) {
        const r = recorder(100);
        const reaper = new LinkReaper(r.del, watch ? { watchClosing: watch.watchClosing } : {});
        const ticket = reaper.announce();
        const closed = ticket.closed('bad1');
        const deleted = ticket.delete(['bad1']);
        await vi.advanceTimersByTimeAsync(99);
        expect(await state(closed)).toBe('pending');
        await vi.advanceTimersByTimeAsync(1);
        expect(await state(closed)).toBe('settled');
        expect(await deleted).toHaveLength(1);
      }
    });

    it('at once when the stop withdraws instead of handing its links in', async () => {
      const reaper = new LinkReaper(recorder().del, { watchClosing: fakeWatch().watchClosing });
      const ticket = reaper.announce();
      const closed = ticket.closed('vbr1');
      ticket.withdraw();
      expect(await state(closed)).toBe('settled');
    });

    it('one watch for stops in a row, ended a while after the last one, and at close', async () => {
      const r = recorder(5);
      const w = fakeWatch();
      const reaper = new LinkReaper(r.del, { watchClosing: w.watchClosing, watchIdleMs: 1000 });
      expect(w.starts).toBe(0);
      for (const name of ['vbr1', 'vbr2', 'vbr3']) {
        const deleted = reaper.announce().delete([name]);
        await vi.advanceTimersByTimeAsync(20);
        await deleted;
      }
      // The last deletion ended 15 ms ago (each takes 5 ms): the watch lingers 1000 ms from then.
      await vi.advanceTimersByTimeAsync(984);
      expect([w.starts, w.ends]).toEqual([1, 0]);
      await vi.advanceTimersByTimeAsync(1);
      expect([w.starts, w.ends]).toEqual([1, 1]);

      const t = reaper.announce();
      expect([w.starts, w.ends]).toEqual([2, 1]);
      const deleted = t.delete(['vbr4']);
      await vi.advanceTimersByTimeAsync(20);
      await deleted;
      await reaper.close();
      expect([w.starts, w.ends]).toEqual([2, 2]);
    });
  });
});
