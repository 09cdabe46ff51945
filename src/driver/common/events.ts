/**
 * The driver's event fan-out: lifecycle events (Defined, Undefined, Started,
 * Stopped, Updated) and lease events go to every subscriber, in the order
 * they happened. A listener that throws is logged and kept; it cannot break
 * the operation that emitted the event or the other listeners.
 */
import type { DriverEvent, NetworkLifecycleEvent, Unsubscribe } from '../../contract/network-api.js';
import { errorText, type DriverLogger } from './log.js';

export class EventBus {
  private readonly listeners = new Set<(event: DriverEvent) => void>();

  constructor(
    private readonly logger: DriverLogger,
    private readonly now: () => number = Date.now,
  ) {}

  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    // Wrap, so the same function subscribed twice is two subscriptions.
    const entry = (event: DriverEvent): void => listener(event);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(event: DriverEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.logger.warn({ err: errorText(err), event: event.kind }, 'event listener failed');
      }
    }
  }

  lifecycle(event: NetworkLifecycleEvent, network: { name: string; uuid: string }): void {
    this.emit({ kind: 'lifecycle', event, detail: 0, network: { name: network.name, uuid: network.uuid }, time: this.now() });
  }

  clear(): void {
    this.listeners.clear();
  }
}
