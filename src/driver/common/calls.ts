/**
 * The call plumbing the network driver and the guest driver share:
 *
 * - `CallGate`: every API call runs through it; once the driver is closed
 *   new calls are refused (with the driver's own "... is not active"
 *   text), and close() can wait for the calls still in progress;
 * - `withObject`: run an operation holding one object's lock, looking the
 *   object up again if it left its list while the operation waited (a
 *   transient one destroyed, an inactive one undefined: the name may be
 *   free now, or taken by another object).
 */
import { internalError } from '../../util/errors.js';
import type { Mutex } from '../../util/mutex.js';

/** Refuses calls once closed; tracks the ones in progress. */
export class CallGate {
  private readonly inflight = new Set<Promise<unknown>>();
  private stopped = false;

  /** `inactiveText`: the internal error's text for a call after close ("network state driver is not active"). */
  constructor(private readonly inactiveText: string) {}

  /** Whether close has begun (stop() was called). */
  get closed(): boolean {
    return this.stopped;
  }

  /** Run an API call: refused once closed, tracked so close can wait for it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(internalError(this.inactiveText));
    const p = fn();
    this.inflight.add(p);
    void p.then(
      () => this.inflight.delete(p),
      () => this.inflight.delete(p),
    );
    return p;
  }

  /** Refuse every call from now on; false if that had been done already. */
  stop(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    return true;
  }

  /** Resolves once every call in progress has finished, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }
}

/** An object with a lock that may leave its list (NetworkObject, GuestObject). */
interface LockedObject {
  readonly lock: Mutex;
  removed: boolean;
}

/**
 * Run `fn` holding the lock of the object `lookup` finds. If the object
 * left the list while we waited, look it up again (`lookup` throws the
 * "no such object" error once there is none).
 */
export async function withObject<O extends LockedObject, T>(lookup: () => O, fn: (obj: O) => Promise<T>): Promise<T> {
  for (;;) {
    const obj = lookup();
    const result = await obj.lock.run(async () => (obj.removed ? undefined : { value: await fn(obj) }));
    if (result !== undefined) return result.value;
  }
}
