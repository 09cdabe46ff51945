/**
 * One connection's network event callbacks (CONNECT_NETWORK_EVENT_REGISTER_ANY
 * / DEREGISTER_ANY). Callback ids come from the server, so they are unique
 * across connections, as libvirt's are. The connection subscribes to the
 * driver's event bus while it has at least one callback, and every
 * lifecycle event goes to each matching callback as its own
 * NETWORK_EVENT_LIFECYCLE message (a callback registered for one network
 * gets only that network's events). Errors are the daemon's own texts.
 */
import type { DriverEvent, NetworkLifecycleEvent, Unsubscribe } from '../contract/network-api.js';
import { RpcError, rpcFailure } from './errors.js';
import { ErrorCode, ErrorDomain, NetworkEventId, NetworkLifecycle } from './protocol.js';
import type { NetworkRef } from './types.js';

/** libvirt's lifecycle numbers; virtnet's 'Updated' has no libvirt counterpart and is not sent. */
const LIFECYCLE_NUMBER: Record<NetworkLifecycleEvent, number | undefined> = {
  Defined: NetworkLifecycle.DEFINED,
  Undefined: NetworkLifecycle.UNDEFINED,
  Started: NetworkLifecycle.STARTED,
  Stopped: NetworkLifecycle.STOPPED,
  Updated: undefined,
};

export interface LifecycleMessage {
  callbackID: number;
  net: NetworkRef;
  event: number;
  detail: number;
}

export interface EventSource {
  subscribe(listener: (event: DriverEvent) => void): Unsubscribe;
}

export class EventCallbacks {
  private readonly callbacks = new Map<number, { network?: string }>();
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly source: EventSource,
    private readonly nextCallbackId: () => number,
    private readonly send: (message: LifecycleMessage) => void,
  ) {}

  /** A new callback for `eventID`, optionally for one network (by uuid); returns its id. */
  register(eventID: number, network: NetworkRef | undefined): number {
    if (eventID !== NetworkEventId.LIFECYCLE)
      throw new RpcError(ErrorCode.INTERNAL_ERROR, ErrorDomain.RPC, `internal error: unsupported network event ID ${eventID}`);
    const id = this.nextCallbackId();
    this.callbacks.set(id, network === undefined ? {} : { network: network.uuid });
    this.unsubscribe ??= this.source.subscribe((event) => this.deliver(event));
    return id;
  }

  deregister(callbackID: number): void {
    if (!this.callbacks.delete(callbackID)) throw rpcFailure(`network event callback ${callbackID} not registered`);
    if (this.callbacks.size === 0) this.stop();
  }

  /** Drop every callback (the connection closed). */
  stop(): void {
    this.callbacks.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  get size(): number {
    return this.callbacks.size;
  }

  private deliver(event: DriverEvent): void {
    if (event.kind !== 'lifecycle') return;
    const number = LIFECYCLE_NUMBER[event.event];
    if (number === undefined) return;
    for (const [callbackID, filter] of this.callbacks) {
      if (filter.network !== undefined && filter.network !== event.network.uuid) continue;
      this.send({ callbackID, net: { name: event.network.name, uuid: event.network.uuid }, event: number, detail: event.detail });
    }
  }
}
