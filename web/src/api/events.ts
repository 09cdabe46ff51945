/**
 * The daemon's event stream (GET /api/events, server-sent events) in the
 * browser: one EventSource for the whole app, shared by every listener.
 * The browser reconnects by itself after a break; each `ready` frame (the
 * first and every one after a reconnect) is passed on, so the app re-reads
 * everything it may have missed meanwhile.
 */
import type { DriverEvent } from '../../../src/contract/network-api.js';
import type { GuestEvent } from '../../../src/contract/guest-api.js';
import { ROUTES } from '../../../src/client/http-routes.js';

export type AnyEvent = DriverEvent | GuestEvent;
type Listener = (event: AnyEvent | { kind: 'ready' }) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;

function open(): void {
  source = new EventSource(ROUTES.events);
  source.addEventListener('ready', () => dispatch({ kind: 'ready' }));
  source.onmessage = (msg: MessageEvent<string>) => {
    try {
      dispatch(JSON.parse(msg.data) as AnyEvent);
    } catch {
      /* not an event we know */
    }
  };
}

function dispatch(event: AnyEvent | { kind: 'ready' }): void {
  for (const l of [...listeners]) l(event);
}

export function subscribeEvents(listener: Listener): () => void {
  listeners.add(listener);
  if (!source) open();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) closeEvents();
  };
}

export function closeEvents(): void {
  source?.close();
  source = undefined;
}
