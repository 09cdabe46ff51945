/**
 * The console's way to virtnetd: src/client's ClientTransport over the
 * browser's fetch and EventSource, so the console calls the daemon through
 * the same typed client as the CLI (src/client/http-client.ts).
 *
 * - Every call sends the session's CSRF token when it changes something,
 *   and If-Match when it names a version; the daemon's errors come back as
 *   the VirErrors the client rebuilds (with their HTTP status).
 * - A 401 means the session ended: `onSessionEnded` (the app asks the
 *   daemon why, and shows the login page with the reason).
 * - The connection: the event stream breaking, or a call that cannot reach
 *   the daemon, is "disconnected" at once; the stream is opened again with
 *   a growing pause (0.5 s, 1 s, 2 s, then every 3 s), after the session
 *   probe says the daemon is back and the session still holds; its first
 *   `ready` frame after that is "connected" again, and the app reloads
 *   everything it shows (the events in between are not lost, only missed).
 */
import type { DriverEvent, Unsubscribe } from '../../../src/contract/network-api.js';
import { CONSOLE_ROUTES, CSRF_HEADER_NAME, type ConsoleSessionBody } from '../../../src/contract/console-api.js';
import { ROUTES } from '../../../src/client/http-routes.js';
import { errorFromResponse } from '../../../src/client/error-body.js';
import {
  etagValue,
  preconditionHeaders,
  type Answer,
  type CallOptions,
  type ClientTransport,
  type EventFeed,
  type Method,
} from '../../../src/client/transport.js';
import { VirError } from '../../../src/util/errors.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** Pauses between attempts to reconnect (ms): grows, then stays at the last. */
const BACKOFF = [500, 1000, 2000, 3000];

/** The error for a daemon that cannot be reached (the text the CLI gives over TCP). */
function unreachable(): VirError {
  return new VirError('SYSTEM_ERROR', `unable to connect to server at '${location.host}': Connection refused`);
}

export class FetchTransport implements ClientTransport {
  private csrf: string | undefined;
  private feed: BrowserEventFeed | undefined;
  /** The calls sent and not yet answered. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Called when a call is refused for want of a session (401). */
  onSessionEnded: () => void = () => {};

  setCsrf(token: string | undefined): void {
    this.csrf = token;
  }

  call<T>(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<Answer<T>> {
    const answer = this.send<T>(method, path, body, options);
    this.inFlight.add(answer);
    const done = (): void => {
      this.inFlight.delete(answer);
    };
    answer.then(done, done);
    return answer;
  }

  /** Resolves once every call sent so far has its answer (or failed): logging out waits for them, so none is refused as a 401. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async send<T>(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...preconditionHeaders(options) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrf) headers[CSRF_HEADER_NAME] = this.csrf;
    let res: Response;
    try {
      res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch {
      this.feed?.lost();
      throw unreachable();
    }
    const text = await res.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new VirError('INTERNAL_ERROR', `virtnetd sent an answer that is not JSON (HTTP status ${res.status})`);
      }
    }
    if (res.status >= 400) {
      const err = errorFromResponse(res.status, parsed);
      err.status = res.status;
      if (res.status === 401 && path !== CONSOLE_ROUTES.login) this.onSessionEnded();
      // A daemon that is stopping answers 503 before it goes.
      if (res.status === 503) this.feed?.lost();
      throw err;
    }
    const etag = etagValue(res.headers.get('etag'));
    return etag === undefined ? { body: parsed as T } : { body: parsed as T, etag };
  }

  events(): BrowserEventFeed {
    this.feed ??= new BrowserEventFeed(this);
    return this.feed;
  }

  close(): void {
    this.feed?.close();
    this.feed = undefined;
  }
}

/** The event stream over EventSource, with the connection's state and our own reconnection. */
export class BrowserEventFeed implements EventFeed {
  private readonly listeners = new Set<(event: DriverEvent) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState, resumed: boolean) => void>();
  private source: EventSource | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private everConnected = false;
  private isReady = false;
  private readyWaiters: (() => void)[] = [];
  state: ConnectionState = 'connecting';

  constructor(private readonly transport: FetchTransport) {}

  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    if (!this.source && this.timer === undefined) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Follow the connection: `resumed` is true for "connected" after a break (time to reload everything). */
  onState(listener: (state: ConnectionState, resumed: boolean) => void): Unsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  ready(): Promise<void> {
    if (this.isReady || this.listeners.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.source?.close();
    this.source = undefined;
    this.isReady = false;
  }

  /** The daemon could not be reached (a call failed, or the stream broke): say so, and try again after a pause. */
  lost(): void {
    if (this.listeners.size === 0) return;
    this.source?.close();
    this.source = undefined;
    this.isReady = false;
    this.setState('disconnected', false);
    if (this.timer !== undefined) return;
    const pause = BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)] ?? 3000;
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retry();
    }, pause);
  }

  /** Ask whether the daemon is back and the session holds; then open the stream again. */
  private async retry(): Promise<void> {
    let session: ConsoleSessionBody;
    try {
      session = (await this.transport.call<ConsoleSessionBody>('GET', CONSOLE_ROUTES.session)).body;
    } catch {
      this.lost();
      return;
    }
    if (!session.authenticated) {
      this.close();
      this.transport.onSessionEnded();
      return;
    }
    this.open();
  }

  private open(): void {
    const source = new EventSource(ROUTES.events);
    this.source = source;
    source.addEventListener('ready', () => {
      if (this.source !== source) return;
      this.isReady = true;
      this.attempt = 0;
      const resumed = this.everConnected;
      this.everConnected = true;
      this.setState('connected', resumed);
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w();
    });
    source.onmessage = (msg: MessageEvent<string>) => {
      let event: DriverEvent;
      try {
        event = JSON.parse(msg.data) as DriverEvent;
      } catch {
        return;
      }
      for (const l of [...this.listeners]) l(event);
    };
    // The browser would reconnect by itself, but gives up on a 401 and cannot tell us why: we do it.
    source.onerror = () => {
      if (this.source === source) this.lost();
    };
  }

  private setState(state: ConnectionState, resumed: boolean): void {
    if (state === this.state && !resumed) return;
    this.state = state;
    for (const l of [...this.stateListeners]) l(state, resumed);
  }
}
