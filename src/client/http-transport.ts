/**
 * JSON over HTTP to virtnetd: a unix socket or HOST:PORT (TLS for an
 * https:// URI, with the system's CAs and NODE_EXTRA_CA_CERTS), written
 * on the sockets directly (http-wire.ts), one pool of kept-open
 * connections per client so a sequence of calls reuses one (idle ones
 * never keep a CLI process alive). node:http is loaded only for the event
 * stream.
 *
 * A request sent on a reused connection that the daemon had just closed
 * (reset or ended before any answer) is sent once more on a fresh one.
 * Failures become VirErrors (http-errors.ts).
 *
 * Given `blocking` (the CLI, unix-request.ts), a call to a unix socket is
 * made in one blocking step on a connection of its own instead, whenever
 * the process may block; node:net is loaded only for the first connection
 * made the other way.
 */
import type { ClientRequest } from 'node:http';
import type * as Net from 'node:net';
import type { Socket } from 'node:net';
import { VirError } from '../util/errors.js';
import { DAEMON_HEADER, READONLY_HEADER, ROUTES } from './http-routes.js';
import { type ConnectProbe, FirstCallProbe } from './http-probe.js';
import type { DaemonTarget } from './http-uri.js';
import { connectError, errorFromResponse, isConnectFailure, lostConnectionError } from './http-errors.js';
import { EventStream } from './http-events.js';
import { ResponseReader, WireError, WirePool, type WireResponse } from './http-wire.js';
import type { BlockingRequests } from './unix-request.js';
import { etagValue, preconditionHeaders, type Answer, type CallOptions, type ClientTransport, type EventFeed, type Method } from './transport.js';

export type { Method } from './transport.js';

/** node:tls's connect, for an https:// listener (loaded by connect() only then). */
type TlsConnect = (options: { host: string; port: number; servername?: string }) => Socket;

let net: typeof Net | undefined;
/** node:net, loaded when first needed: a CLI call whose requests all block never loads it. */
const loadNet = (): typeof Net => (net ??= process.getBuiltinModule('node:net'));

export class HttpTransport implements ClientTransport {
  private readonly pool: WirePool;
  private closed = false;
  private feed: EventStream | undefined;
  private probe: FirstCallProbe | undefined;

  constructor(
    readonly target: DaemonTarget,
    private readonly token: string | undefined,
    tlsConnect?: TlsConnect,
    private readonly blocking?: BlockingRequests,
  ) {
    const t = target;
    const open =
      t.kind === 'unix'
        ? () => loadNet().connect({ path: t.socketPath })
        : tlsConnect !== undefined
          ? () => tlsConnect({ host: t.host, port: t.port, ...(/^[\d.]+$|:/.test(t.host) ? {} : { servername: t.host }) })
          : () => loadNet().connect({ host: t.host, port: t.port });
    this.pool = new WirePool(open, tlsConnect !== undefined && t.kind === 'tcp');
  }

  /** The headers of every request (token, read-only flag over TCP) and `extra`. */
  private headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (this.target.readonly && this.target.kind === 'tcp') headers[READONLY_HEADER] = '1';
    return headers;
  }

  private hostHeader(): string {
    const t = this.target;
    if (t.kind === 'unix') return 'localhost';
    return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  }

  /** One call: send `body` as JSON, resolve with the parsed answer (undefined for 204), reject with a VirError. */
  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return (await this.call<T>(method, path, body)).body;
  }

  async call<T>(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<Answer<T>> {
    if (this.closed) throw new VirError('INTERNAL_ERROR', 'the connection to virtnetd is closed');
    const probe = this.probe;
    if (probe === undefined) return this.decode<T>(await this.send(method, path, body, options));
    if (method !== 'GET' || !probe.takeFirst()) {
      await this.unlessProbeFails(probe.settled());
      return this.decode<T>(await this.send(method, path, body, options));
    }
    // The first call stands in for the probe when virtnetd's success answer says it is virtnetd.
    let answer: WireResponse | undefined;
    try {
      answer = await this.send(method, path, body, options);
    } finally {
      await this.unlessProbeFails(probe.vouch(answer !== undefined && answer.status < 300 && answer.headers.has(DAEMON_HEADER)));
    }
    return this.decode<T>(answer);
  }

  /**
   * Check with the first call that the daemon is virtnetd rather than before connect() resolves
   * (ConnectOptions.deferProbe): the probe, for the client to hand to its user.
   */
  deferProbe(): ConnectProbe {
    this.probe = new FirstCallProbe(async () => this.decode(await this.send('GET', ROUTES.version)));
    return this.probe;
  }

  /** Waits for the probe; if it fails, never settles (the probe's failure is reported instead of the call's). */
  private async unlessProbeFails(outcome: Promise<void>): Promise<void> {
    try {
      await outcome;
    } catch {
      await new Promise<never>(() => undefined);
    }
  }

  /** One request on the pool (once more on a fresh connection if a kept-open one was closed under it). */
  private async send(method: Method, path: string, body?: unknown, options?: CallOptions): Promise<WireResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const extra: Record<string, string> = {
      ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
      ...preconditionHeaders(options),
    };
    const t = this.target;
    const blocking = t.kind === 'unix' && this.blocking?.mayBlock() === true ? this.blocking : undefined;
    if (blocking !== undefined) extra['connection'] = 'close';
    const head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader()}\r\n${Object.entries(this.headers(extra))
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    if (blocking !== undefined && t.kind === 'unix') return this.sendBlocking(blocking, t.socketPath, head, payload);
    try {
      return await this.pool.request(head, payload);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      // The daemon closed a kept-open connection just as the call went out: once more, on a fresh one.
      if (err.reused && err.connected && !err.answered) return this.retry(head, payload);
      throw this.failure(err);
    }
  }

  /** One request in one blocking step, on a connection of its own (the daemon closes it after its answer). */
  private sendBlocking(blocking: BlockingRequests, socketPath: string, head: string, payload: Buffer | undefined): WireResponse {
    const request = Buffer.from(head, 'latin1');
    const reader = new ResponseReader();
    let answer: WireResponse | undefined;
    let garbled = false;
    try {
      blocking.request(socketPath, payload === undefined ? request : Buffer.concat([request, payload]), (chunk) => {
        try {
          answer = reader.push(chunk);
        } catch {
          garbled = true; // not HTTP: as a connection that broke (node:net's path destroys it)
        }
        return answer !== undefined || garbled;
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw this.failure(new WireError(e, e.syscall !== 'connect' && e.syscall !== 'socket', false, reader.started));
    }
    if (!garbled) answer ??= reader.end();
    if (answer === undefined) throw lostConnectionError();
    return answer;
  }

  /** An answer as the call's result: its JSON body and ETag, or the daemon's error. */
  private decode<T>(answer: WireResponse): Answer<T> {
    const text = answer.body.toString('utf8');
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new VirError('INTERNAL_ERROR', `virtnetd sent an answer that is not JSON (HTTP status ${answer.status})`);
      }
    }
    if (answer.status >= 400) throw errorFromResponse(answer.status, parsed);
    const etag = etagValue(answer.headers.get('etag'));
    return etag === undefined ? { body: parsed as T } : { body: parsed as T, etag };
  }

  events(): EventFeed {
    this.feed ??= new EventStream(this);
    return this.feed;
  }

  private async retry(head: string, payload: Buffer | undefined): Promise<WireResponse> {
    try {
      return await this.pool.request(head, payload);
    } catch (err) {
      throw err instanceof WireError ? this.failure(err) : err;
    }
  }

  private failure(err: WireError): VirError {
    if (!err.connected && err.socketError !== undefined && isConnectFailure(err.socketError)) return connectError(this.target, err.socketError);
    return lostConnectionError();
  }

  /** A raw streaming GET (the event stream), on its own connection, through node:http(s). */
  async openStream(path: string): Promise<ClientRequest> {
    const t = this.target;
    const mod = t.kind === 'tcp' && t.tls ? await import('node:https') : await import('node:http');
    const where = t.kind === 'unix' ? { socketPath: t.socketPath } : { host: t.host, port: t.port };
    return mod.request({ ...where, method: 'GET', path, headers: this.headers({ accept: 'text/event-stream' }), agent: false });
  }

  close(): void {
    this.closed = true;
    this.feed?.close();
    this.pool.close();
  }
}
