/**
 * `subscribe()` over virtnetd's server-sent event stream (GET /api/events;
 * the framing is described in src/api/events.ts). One stream per client,
 * shared by all its listeners: it opens with the first listener and closes
 * with the last. `ready()` resolves once the daemon has confirmed the
 * subscription, from which point no event can be missed.
 *
 * If the stream breaks while listeners remain (the daemon restarted), it is
 * opened again after a pause of one, then up to five seconds; events in
 * between are lost, as with libvirt's own event callbacks.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { DriverEvent, Unsubscribe } from '../contract/network-api.js';
import { ROUTES } from './http-routes.js';
import type { HttpTransport } from './http-transport.js';
import type { EventFeed } from './transport.js';

interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Incremental text/event-stream parser (the WHATWG rules for the fields we use). */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private afterCr = false;

  /** Feed a chunk; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    // A '\r' that ended the previous chunk may be the first half of '\r\n'.
    if (this.afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.afterCr = false;
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (!m) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      if (m[0] === '\r' && this.buffer.length === 0) this.afterCr = true;
      if (line === '') {
        if (this.data.length > 0) {
          out.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) });
        }
        this.data = [];
        this.event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id') this.id = value;
    }
    return out;
  }
}

export class EventStream implements EventFeed {
  private readonly listeners = new Set<(event: DriverEvent) => void>();
  private request: ClientRequest | undefined;
  /** The stream's request while node:http is being loaded. */
  private opening: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = 1000;
  private readyWaiters: (() => void)[] = [];
  private isReady = false;
  private closed = false;

  constructor(private readonly transport: HttpTransport) {}

  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    const entry = (e: DriverEvent): void => listener(e);
    this.listeners.add(entry);
    if (this.listeners.size === 1) this.open();
    return () => {
      if (!this.listeners.delete(entry)) return;
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Resolves when the daemon has the subscription in place (immediately if there is no listener). */
  ready(): Promise<void> {
    if (this.isReady || this.listeners.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.stop();
  }

  private markReady(): void {
    this.isReady = true;
    this.retryDelay = 1000;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  private stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const req = this.request;
    this.request = undefined;
    this.isReady = false;
    req?.destroy();
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  private open(): void {
    if (this.closed || this.opening !== undefined) return;
    this.opening = this.transport.openStream(ROUTES.events).then((req) => {
      this.opening = undefined;
      if (this.closed || this.listeners.size === 0) req.destroy();
      else this.attach(req);
    });
  }

  private attach(req: ClientRequest): void {
    this.request = req;
    const broken = (): void => {
      if (this.request !== req) return;
      this.request = undefined;
      this.isReady = false;
      if (this.closed || this.listeners.size === 0) return;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.listeners.size > 0 && !this.request) this.open();
      }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 5000);
    };
    req.on('error', broken);
    req.on('response', (res: IncomingMessage) => {
      if ((res.statusCode ?? 0) !== 200) {
        res.resume();
        res.on('end', broken);
        return;
      }
      const parser = new SseParser();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const msg of parser.push(chunk)) this.dispatch(msg);
      });
      res.on('end', broken);
      res.on('error', broken);
    });
    req.end();
  }

  private dispatch(msg: SseMessage): void {
    if (msg.event === 'ready') {
      this.markReady();
      return;
    }
    if (msg.event !== 'message') return;
    let event: DriverEvent;
    try {
      event = JSON.parse(msg.data) as DriverEvent;
    } catch {
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        /* a listener's failure is its own; the others still get the event */
      }
    }
  }
}
