/**
 * HTTP/1.1 for the client's calls, written and read on node:net sockets
 * (node:tls for an https:// listener) without node:http. A call is one
 * request with a JSON body or none, and one answer with a length, chunked,
 * or up to the end of the connection: that much takes a page, while
 * loading node:http and making its first request cost a short CLI process
 * ~12 ms of CPU, more than all its own work (bench/README.md, "CLI").
 *
 * Up to `maxSockets` connections, kept open between calls and unref'd while
 * idle, so a sequence of calls reuses one and an idle one never keeps a
 * process alive. A failure says whether the connection had been made and
 * whether it was a reused one (the daemon may have closed it meanwhile).
 */
import type { Socket } from 'node:net';

export interface WireResponse {
  status: number;
  /** Header names in lower case. */
  headers: Map<string, string>;
  body: Buffer;
}

/** Why a call failed: the socket's error (none when the connection just ended), and how far it got. */
export class WireError extends Error {
  constructor(
    readonly socketError: NodeJS.ErrnoException | undefined,
    /** The connection had been made. */
    readonly connected: boolean,
    /** The call went out on a connection an earlier call had used. */
    readonly reused: boolean,
    /** Part of an answer had arrived. */
    readonly answered: boolean,
  ) {
    super(socketError?.message ?? 'connection closed');
  }
}

interface Call {
  head: string;
  body: Buffer | undefined;
  resolve: (r: WireResponse) => void;
  reject: (e: WireError) => void;
}

// Parsed by hand rather than with regular expressions: each costs a short CLI process its compilation
// (bench/README.md, "Issue 17").

/** The status code of an answer's first line (`HTTP/1.1 200 OK`), if it is one. */
function statusOf(line: string): number | undefined {
  if (!line.startsWith('HTTP/1.0 ') && !line.startsWith('HTTP/1.1 ')) return undefined;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return undefined;
    status = status * 10 + digit;
  }
  return status;
}

/** An answer with this status has no body, whatever its headers say. */
const hasNoBody = (status: number): boolean => (status >= 100 && status < 200) || status === 204 || status === 304;

/** A header's value names this word, in any case (`Transfer-Encoding: chunked`, `Connection: close`). */
const names = (value: string | undefined, word: string): boolean => value?.toLowerCase().includes(word) === true;

/** Reads one answer after another from a connection's bytes. */
export class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  private head: { status: number; headers: Map<string, string> } | undefined;
  private chunks: Buffer[] = [];

  /** Feed bytes; the answer when it is complete (the rest stays for the next one). */
  push(data: Buffer): WireResponse | undefined {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    for (;;) {
      if (this.head === undefined) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return undefined;
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
        this.buf = this.buf.subarray(end + 4);
        const status = statusOf(lines[0] ?? '');
        if (status === undefined) throw new Error('not an HTTP answer');
        const headers = new Map<string, string>();
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        if (status >= 100 && status < 200) continue; // an interim answer (100 Continue): the real one follows
        this.head = { status, headers };
      }
      const { status, headers } = this.head;
      if (hasNoBody(status)) return this.done(Buffer.alloc(0));
      if (names(headers.get('transfer-encoding'), 'chunked')) {
        for (;;) {
          const eol = this.buf.indexOf('\r\n');
          if (eol < 0) return undefined;
          const size = parseInt(this.buf.subarray(0, eol).toString('latin1'), 16);
          if (!Number.isFinite(size)) throw new Error('bad chunk size');
          if (size === 0) {
            const end = this.buf.indexOf('\r\n\r\n', eol);
            if (end < 0) return undefined;
            this.buf = this.buf.subarray(end + 4);
            return this.done(Buffer.concat(this.chunks));
          }
          if (this.buf.length < eol + 2 + size + 2) return undefined;
          this.chunks.push(this.buf.subarray(eol + 2, eol + 2 + size));
          this.buf = this.buf.subarray(eol + 2 + size + 2);
        }
      }
      const length = headers.get('content-length');
      if (length === undefined) return undefined; // up to the end of the connection: see end()
      const n = Number(length);
      if (this.buf.length < n) return undefined;
      const body = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      return this.done(body);
    }
  }

  /** The connection ended: the answer that ran up to its end, if that is how this one is framed. */
  end(): WireResponse | undefined {
    const head = this.head;
    if (head === undefined || head.headers.has('content-length') || names(head.headers.get('transfer-encoding'), 'chunked')) return undefined;
    return this.done(this.buf);
  }

  /** Whether any part of an answer has arrived. */
  get started(): boolean {
    return this.head !== undefined || this.buf.length > 0;
  }

  private done(body: Buffer): WireResponse {
    const head = this.head!;
    this.head = undefined;
    this.chunks = [];
    return { status: head.status, headers: head.headers, body };
  }
}

class Connection {
  private call: Call | undefined;
  private reader = new ResponseReader();
  private connected = false;
  private uses = 0;
  private gone = false;

  constructor(
    private readonly socket: Socket,
    secure: boolean,
    private readonly onIdle: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
    });
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err));
    socket.on('close', () => {
      const last = this.call !== undefined ? this.reader.end() : undefined;
      if (last !== undefined) this.finish(last, false);
      this.fail(undefined);
    });
  }

  get busy(): boolean {
    return this.call !== undefined;
  }

  send(call: Call): void {
    this.call = call;
    this.uses++;
    this.socket.ref();
    this.socket.write(call.body === undefined ? call.head : Buffer.concat([Buffer.from(call.head, 'latin1'), call.body]));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    if (this.call === undefined) {
      this.socket.destroy(); // bytes nobody asked for: this connection cannot be trusted again
      return;
    }
    let response: WireResponse | undefined;
    try {
      response = this.reader.push(data);
    } catch {
      this.socket.destroy();
      return;
    }
    if (response !== undefined) this.finish(response, !names(response.headers.get('connection'), 'close'));
  }

  private finish(response: WireResponse, keep: boolean): void {
    const call = this.call;
    this.call = undefined;
    this.reader = new ResponseReader();
    call?.resolve(response);
    if (!keep) {
      this.socket.destroy();
      return;
    }
    this.socket.unref();
    if (!this.gone) this.onIdle(this);
  }

  private fail(err: NodeJS.ErrnoException | undefined): void {
    const call = this.call;
    this.call = undefined;
    const reused = this.uses > 1;
    const answered = this.reader.started;
    if (!this.gone) {
      this.gone = true;
      this.socket.destroy();
      this.onGone(this);
    }
    call?.reject(new WireError(err, this.connected, reused, answered));
  }
}

export class WirePool {
  private readonly connections = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly waiting: Call[] = [];
  private closed = false;

  constructor(
    /** Opens a connection (net.connect or tls.connect). */
    private readonly open: () => Socket,
    private readonly secure: boolean,
    private readonly maxSockets = 16,
  ) {}

  /** Send `head` (the request line and headers, ending in an empty line) and `body`; the answer. */
  request(head: string, body?: Buffer): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      const call: Call = { head, body, resolve, reject };
      const conn = this.idle.pop();
      if (conn !== undefined) conn.send(call);
      else if (this.connections.size < this.maxSockets) this.connect().send(call);
      else this.waiting.push(call);
    });
  }

  close(): void {
    this.closed = true;
    for (const c of [...this.connections]) c.destroy();
  }

  private connect(): Connection {
    const conn = new Connection(
      this.open(),
      this.secure,
      (c) => {
        const next = this.waiting.shift();
        if (next !== undefined) c.send(next);
        else if (this.closed) c.destroy();
        else this.idle.push(c);
      },
      (c) => {
        this.connections.delete(c);
        const i = this.idle.indexOf(c);
        if (i >= 0) this.idle.splice(i, 1);
        const next = this.waiting.shift();
        if (next !== undefined && !this.closed) this.connect().send(next);
      },
    );
    this.connections.add(conn);
    return conn;
  }
}
