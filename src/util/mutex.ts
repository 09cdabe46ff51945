/**
 * The project's one mutex: callers run one at a time, in the order they
 * asked, whether the previous holder succeeded or failed. Each driver object
 * holds one (libvirt's per-object lock), the network driver one for bridge
 * names (libvirt's bridgeNameValidateMutex), a guest backend one around its
 * device naming and creation.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** Wait for the lock; resolves with the function that releases it (call it exactly once). */
  acquire(): Promise<() => void> {
    this.holders++;
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = () => {
        this.holders--;
        resolve();
      };
    });
    const previous = this.tail;
    this.tail = previous.then(() => done);
    let released = false;
    return previous.then(() => () => {
      if (!released) {
        released = true;
        release();
      }
    });
  }

  /** Run `fn` once every earlier holder has finished; resolves or rejects with its result. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Whether anyone holds or waits for the lock. */
  get busy(): boolean {
    return this.holders > 0;
  }

  /** Resolves once every holder queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}

/**
 * Run `fn` over `items` with at most `limit` calls in flight; resolves once
 * all have settled. Errors are the callee's to handle (it should not throw).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
}
