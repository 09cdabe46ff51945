/**
 * How a client of virtnetd reaches it, apart from the API it speaks: JSON
 * calls (with the version a change is based on, in If-Match, and the
 * version an answer reports, from ETag) and the event stream. Node's
 * HttpTransport (http-transport.ts: unix socket or TCP) implements it for
 * the CLI; the web console implements it over fetch and EventSource
 * (web/src/api/fetch-transport.ts). The clients (http-client.ts,
 * http-guests.ts) need nothing else, so the console uses them as they are.
 * Dependency-free.
 */
import type { DriverEvent, Unsubscribe } from '../contract/network-api.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface CallOptions {
  /** The version the change is based on (sent as If-Match). */
  ifMatch?: string;
}

export interface Answer<T> {
  body: T;
  /** The answer's ETag (an object's version), unquoted. */
  etag?: string;
}

/** The event stream's subscriptions: one stream, opened with the first listener and closed with the last. */
export interface EventFeed {
  subscribe(listener: (event: DriverEvent) => void): Unsubscribe;
  /** Resolves once the daemon confirms the subscription (no later event can be missed). */
  ready(): Promise<void>;
  close(): void;
}

export interface ClientTransport {
  /** One call: `body` sent as JSON; resolves with the parsed answer (undefined for 204), rejects with a VirError. */
  call<T>(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<Answer<T>>;
  /** The event stream (made once per transport). */
  events(): EventFeed;
  close(): void;
}

/** The If-Match header for a precondition, or none. */
export function preconditionHeaders(options: CallOptions | undefined): Record<string, string> {
  return options?.ifMatch === undefined ? {} : { 'if-match': `"${options.ifMatch}"` };
}

/** An ETag header's value without its quotes (and weak marker). */
export function etagValue(header: string | null | undefined): string | undefined {
  if (header === null || header === undefined || header === '') return undefined;
  const strong = header.startsWith('W/') ? header.slice(2) : header;
  return strong.length >= 2 && strong.startsWith('"') && strong.endsWith('"') ? strong.slice(1, -1) : strong;
}
