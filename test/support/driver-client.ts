/**
 * The daemon's drivers as a client (src/client/types.ts), so the CLI, the
 * libvirt socket and anything else that takes a VirtnetClient can run in
 * process against the real network and guest drivers over the fake
 * runtime (network-testkit.ts, guest-testkit.ts) instead of a hand-written
 * fake. Every method the driver has is the driver's own; one it lacks is
 * absent, as from a daemon that does not serve it. On top, what a test
 * reads: the calls made through the client, whether it was closed, and a
 * wait for the first event subscriber. `close()` leaves the driver running
 * (the test disposes of it).
 */
import type { VirtnetClient } from '../../src/client/types.js';
import type { NetworkDriverApi } from '../../src/contract/network-api.js';

export interface DriverCall {
  method: string;
  args: unknown[];
}

export interface DriverClient extends VirtnetClient {
  /** Every method called through this client, in order. */
  readonly calls: DriverCall[];
  /** Whether close() was called. */
  readonly closed: boolean;
  /** Resolves once someone listens to the events (at once if someone already does). */
  subscribed(): Promise<void>;
  /** Subscriptions made through this client and not yet ended. */
  readonly subscribers: number;
}

/** `driver` (a NetworkDriver, or the CombinedDriver the daemon serves) as a client. */
export function driverClient(driver: NetworkDriverApi): DriverClient {
  const target = driver as unknown as Record<string | symbol, unknown>;
  const calls: DriverCall[] = [];
  /** What a test put on the client (a method made to fail, libvirtUri): it wins over the driver's. */
  const own = new Map<string | symbol, unknown>();
  let closed = false;
  let listeners = 0;
  const waiters: (() => void)[] = [];
  const extra: Record<string, unknown> = {
    calls,
    close: async () => {
      closed = true;
    },
    subscribed: () => (listeners > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    subscribe: (listener: Parameters<NetworkDriverApi['subscribe']>[0]) => {
      calls.push({ method: 'subscribe', args: [listener] });
      const stop = driver.subscribe(listener);
      listeners++;
      for (const resolve of waiters.splice(0)) resolve();
      let ended = false;
      return () => {
        if (!ended) listeners--;
        ended = true;
        stop();
      };
    },
  };
  return new Proxy(target, {
    get(_t, prop) {
      if (own.has(prop)) return own.get(prop);
      if (prop === 'closed') return closed;
      if (prop === 'subscribers') return listeners;
      if (typeof prop === 'string' && Object.hasOwn(extra, prop)) return extra[prop];
      const value = target[prop];
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(prop), args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
    set(_t, prop, value) {
      own.set(prop, value);
      return true;
    },
    has(_t, prop) {
      return (
        own.has(prop) || (typeof prop === 'string' && Object.hasOwn(extra, prop)) || prop === 'closed' || prop === 'subscribers' || prop in target
      );
    },
  }) as unknown as DriverClient;
}
