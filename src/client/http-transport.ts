/**
 * JSON over HTTP to virtnetd with node:http alone (node:https, loaded
 * only for an https:// URI, with the system's CAs and NODE_EXTRA_CA_CERTS):
 * a unix socket (`socketPath`) or HOST:PORT, one keep-alive agent per client so a
 * sequence of calls reuses one connection (idle sockets are unref'd by
 * node's agent, so they never keep a CLI process alive).
 *
 * A request sent on a reused connection that the daemon had just closed
 * (ECONNRESET before any answer) is sent once more on a fresh one, as
 * node's documentation advises. Failures become VirErrors (http-errors.ts).
 */
import http from 'node:http';
import { VirError } from '../util/errors.js';
import { READONLY_HEADER } from './http-routes.js';
import type { DaemonTarget } from './http-uri.js';
import { connectError, errorFromResponse, isConnectFailure, lostConnectionError } from './http-errors.js';
import { EventStream } from './http-events.js';
import { etagValue, preconditionHeaders, type Answer, type CallOptions, type ClientTransport, type EventFeed, type Method } from './transport.js';

export type { Method } from './transport.js';

/** node:http, or node:https for a TLS listener (same request API). */
export type HttpModule = Pick<typeof http, 'request' | 'Agent'>;

export class HttpTransport implements ClientTransport {
  private readonly agent: http.Agent;
  private closed = false;
  private feed: EventStream | undefined;

  constructor(
    readonly target: DaemonTarget,
    private readonly token: string | undefined,
    private readonly mod: HttpModule = http,
  ) {
    this.agent = new mod.Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** Connection options common to every request (socket or address, headers). */
  requestOptions(method: Method, path: string, extraHeaders: Record<string, string> = {}): http.RequestOptions {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (this.target.readonly && this.target.kind === 'tcp') headers[READONLY_HEADER] = '1';
    const where = this.target.kind === 'unix' ? { socketPath: this.target.socketPath } : { host: this.target.host, port: this.target.port };
    return { ...where, method, path, headers };
  }

  /** One call: send `body` as JSON, resolve with the parsed answer (undefined for 204), reject with a VirError. */
  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return (await this.call<T>(method, path, body)).body;
  }

  async call<T>(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<Answer<T>> {
    if (this.closed) throw new VirError('INTERNAL_ERROR', 'the connection to virtnetd is closed');
    try {
      return await this.once<T>(method, path, body, options);
    } catch (err) {
      if (err instanceof RetryOnFreshSocket) return this.once<T>(method, path, body, options);
      throw err;
    }
  }

  events(): EventFeed {
    this.feed ??= new EventStream(this);
    return this.feed;
  }

  private once<T>(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<Answer<T>> {
    return new Promise<Answer<T>>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = {
        ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        ...preconditionHeaders(options),
      };
      const req = this.mod.request({ ...this.requestOptions(method, path, headers), agent: this.agent });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => reject(lostConnectionError()));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          if (text.length > 0) {
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(new VirError('INTERNAL_ERROR', `virtnetd sent an answer that is not JSON (HTTP status ${status})`));
              return;
            }
          }
          if (status >= 400) reject(errorFromResponse(status, parsed));
          else {
            const etag = etagValue(typeof res.headers.etag === 'string' ? res.headers.etag : undefined);
            resolve(etag === undefined ? { body: parsed as T } : { body: parsed as T, etag });
          }
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (answered) return;
        if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) reject(new RetryOnFreshSocket());
        else if (isConnectFailure(err)) reject(connectError(this.target, err));
        else reject(lostConnectionError());
      });
      req.end(payload);
    });
  }

  /** A raw streaming GET (the event stream), on its own connection. */
  openStream(path: string): http.ClientRequest {
    return this.mod.request({ ...this.requestOptions('GET', path, { accept: 'text/event-stream' }), agent: false });
  }

  close(): void {
    this.closed = true;
    this.feed?.close();
    this.agent.destroy();
  }
}

class RetryOnFreshSocket extends Error {}
