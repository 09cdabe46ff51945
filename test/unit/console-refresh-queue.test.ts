/**
 * The console's reads after the daemon's events (web/src/state/refresh-queue.ts):
 * a burst of events costs a few reads, one at a time, and nothing marked
 * stale is left unread.
 */
import { describe, expect, it } from 'vitest';
import { RefreshQueue, type Stale } from '../../web/src/state/refresh-queue.js';

/** A reader that records what it is asked and answers when told to. */
function recorder() {
  const reads: { all: boolean; networks: string[]; guests: boolean }[] = [];
  const pending: (() => void)[] = [];
  let inFlight = 0;
  let most = 0;
  const read = (stale: Stale): Promise<void> => {
    reads.push({ all: stale.all, networks: [...stale.networks].sort(), guests: stale.guests });
    inFlight++;
    most = Math.max(most, inFlight);
    return new Promise((resolve) =>
      pending.push(() => {
        inFlight--;
        resolve();
      }),
    );
  };
  const answer = async (): Promise<void> => {
    for (const done of pending.splice(0)) done();
    // Let the queue take its next turn.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { reads, read, answer, most: () => most };
}

describe('the console reads what events made stale', () => {
  it('reads what went stale in one turn together', async () => {
    const r = recorder();
    const q = new RefreshQueue(r.read);
    q.network('a');
    q.network('b');
    q.guests();
    await r.answer();
    await r.answer();
    await q.settled();
    expect(r.reads).toEqual([{ all: false, networks: ['a', 'b'], guests: true }]);
  });

  it('a burst of 150 events while a read is under way costs one more read, and reads never overlap', async () => {
    const r = recorder();
    const q = new RefreshQueue(r.read);
    q.network('n00');
    await r.answer(); // the first read has started, not finished
    for (let i = 0; i < 50; i++) q.network(`n${String(i).padStart(2, '0')}`);
    for (let i = 0; i < 100; i++) {
      q.guests();
      q.allNetworks();
    }
    for (let i = 0; i < 10; i++) await r.answer();
    await q.settled();
    expect(r.reads).toEqual([
      { all: false, networks: ['n00'], guests: false },
      { all: true, networks: expect.any(Array), guests: true },
    ]);
    expect(r.most()).toBe(1);
  });

  it('many networks stale at once are read as the list; a few one by one', async () => {
    const r = recorder();
    const q = new RefreshQueue(r.read);
    for (const n of ['a', 'b', 'c']) q.network(n);
    await r.answer();
    await r.answer();
    for (const n of ['a', 'b', 'c', 'd']) q.network(n);
    await r.answer();
    await r.answer();
    await q.settled();
    expect(r.reads.map((x) => x.all)).toEqual([false, true]);
  });

  it('a read that fails does not stop the queue', async () => {
    const asked: Stale[] = [];
    const q = new RefreshQueue(async (stale) => {
      asked.push(stale);
      if (asked.length === 1) throw new Error('daemon away');
    });
    q.guests();
    await q.settled();
    q.network('a');
    await q.settled();
    expect(asked.map((s) => [s.guests, [...s.networks]])).toEqual([
      [true, []],
      [false, ['a']],
    ]);
  });
});
