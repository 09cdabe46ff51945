/**
 * JSON-RPC 1.0 as OVSDB speaks it (RFC 7047 §4) over a unix or TCP socket:
 * requests with integer ids and their replies, notifications (id null),
 * and the server's own `echo` requests, which are answered at once so an
 * inactivity probe never drops the connection.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { JsonSplitter } from './framing.js';
import { osErrorText } from '../util/os-error.js';
import { OvsdbError } from './errors.js';
import type { Json } from './values.js';

/** Where an OVSDB server listens, in OVS's notation. */
export type Remote = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Parse `unix:PATH` or `tcp:HOST:PORT` (`tcp:[V6]:PORT`); ssl is refused plainly. */
export function parseRemote(text: string): Remote {
  if (text.startsWith('unix:') && text.length > 5) return { kind: 'unix', path: text.slice(5) };
  const m = /^tcp:(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (m) {
    const port = Number(m[3]);
    if (port >= 1 && port <= 65535) return { kind: 'tcp', host: m[1] ?? m[2] ?? '', port };
  }
  if (text.startsWith('ssl:')) throw new OvsdbError('connection', `OVSDB remote '${text}': ssl connections are not supported, use tcp: or unix:`);
  throw new OvsdbError('connection', `invalid OVSDB remote '${text}': expected unix:PATH or tcp:HOST:PORT`);
}

export function formatRemote(r: Remote): string {
  return r.kind === 'unix' ? `unix:${r.path}` : `tcp:${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;
}

export interface RpcOptions {
  /** Give up on a request with no reply after this long (default 30 s). */
  timeoutMs?: number;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
}

interface Pending {
  method: string;
  resolve: (result: Json) => void;
  reject: (err: OvsdbError) => void;
  timer: NodeJS.Timeout | undefined;
}

type Reply = { id: Json; result?: Json; error?: Json };
type Message = { method?: string; params?: Json; id?: Json; result?: Json; error?: Json };

export class RpcConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new JsonSplitter();
  private nextId = 1;
  private closedWith: OvsdbError | undefined;
  private readonly closeHandlers: ((reason: OvsdbError) => void)[] = [];
  private readonly timeoutMs: number;

  private constructor(
    private readonly socket: Socket,
    readonly remote: string,
    private readonly onNotification: (method: string, params: Json) => void,
    options: RpcOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.shut(new OvsdbError('connection', `connection to the OVSDB server at ${remote} failed: ${osErrorText(err)}`)));
    socket.on('close', () => this.shut(new OvsdbError('connection', `connection to the OVSDB server at ${remote} closed`)));
  }

  static open(remoteText: string, onNotification: (method: string, params: Json) => void, options: RpcOptions = {}): Promise<RpcConnection> {
    const remote = parseRemote(remoteText);
    const shown = formatRemote(remote);
    return new Promise((resolve, reject) => {
      const socket = remote.kind === 'unix' ? netConnect(remote.path) : netConnect(remote.port, remote.host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new OvsdbError('timeout', `cannot connect to the OVSDB server at ${shown}: no answer in ${options.connectTimeoutMs ?? 5000} ms`));
      }, options.connectTimeoutMs ?? 5000);
      const failed = (err: Error): void => {
        clearTimeout(timer);
        reject(new OvsdbError('connection', `cannot connect to the OVSDB server at ${shown}: ${osErrorText(err)}`));
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        socket.setNoDelay?.(true);
        resolve(new RpcConnection(socket, shown, onNotification, options));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Called once when the connection ends, whoever ended it. */
  onClose(handler: (reason: OvsdbError) => void): void {
    if (this.closedWith) handler(this.closedWith);
    else this.closeHandlers.push(handler);
  }

  /** Send a request and wait for its reply's result; a JSON-RPC error rejects with an OvsdbError ('rpc'). */
  request(method: string, params: readonly Json[], options: { timeoutMs?: number } = {}): Promise<Json> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<Json>((resolve, reject) => {
      const ms = options.timeoutMs ?? this.timeoutMs;
      const timer =
        ms > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new OvsdbError('timeout', `the OVSDB server at ${this.remote} did not answer '${method}' in ${ms} ms`));
            }, ms)
          : undefined;
      this.pending.set(id, { method, resolve, reject, timer });
      this.send({ method, params, id });
    });
  }

  close(): void {
    this.shut(new OvsdbError('connection', `connection to the OVSDB server at ${this.remote} closed by the client`));
  }

  /** End the connection because the peer broke the protocol. */
  abort(detail: string): void {
    this.shut(new OvsdbError('protocol', `the OVSDB server at ${this.remote} ${detail}`));
  }

  private send(message: Json): void {
    this.socket.write(JSON.stringify(message));
  }

  private receive(chunk: Buffer): void {
    let texts: string[];
    try {
      texts = this.splitter.push(chunk);
    } catch (e) {
      this.shut(new OvsdbError('protocol', `the OVSDB server at ${this.remote} sent malformed JSON: ${(e as Error).message}`));
      return;
    }
    for (const text of texts) {
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch (e) {
        this.shut(new OvsdbError('protocol', `the OVSDB server at ${this.remote} sent malformed JSON: ${(e as Error).message}`));
        return;
      }
      this.dispatch(message);
    }
  }

  private dispatch(m: Message): void {
    if (typeof m.method === 'string') {
      const params = m.params ?? [];
      if (m.id !== undefined && m.id !== null) {
        // A request from the server: only echo is defined for a client (RFC 7047 §4.1.11).
        if (m.method === 'echo') this.send({ result: params, error: null, id: m.id });
        else this.send({ result: null, error: { error: 'unknown method', details: m.method }, id: m.id });
        return;
      }
      this.onNotification(m.method, params);
      return;
    }
    this.reply(m as Reply);
  }

  private reply(r: Reply): void {
    if (typeof r.id !== 'number') return;
    const p = this.pending.get(r.id);
    if (p === undefined) return;
    this.pending.delete(r.id);
    if (p.timer) clearTimeout(p.timer);
    if (r.error !== undefined && r.error !== null) {
      const e = r.error as { error?: Json; details?: Json } | string;
      const name = typeof e === 'string' ? e : String(e.error ?? 'error');
      const details = typeof e === 'object' && e.details !== undefined && e.details !== null ? String(e.details) : undefined;
      p.reject(new OvsdbError('rpc', `OVSDB '${p.method}' failed: ${name}${details ? `: ${details}` : ''}`, name, details));
      return;
    }
    p.resolve(r.result ?? null);
  }

  private shut(reason: OvsdbError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    for (const h of this.closeHandlers.splice(0)) h(reason);
  }
}
