/**
 * One client of the libvirt socket: messages in, calls dispatched, replies
 * out. The remote program's calls go through the procedure table; the
 * keepalive program's PING gets a PONG; any other program gets libvirt's
 * "Cannot find program" error. Nothing a client sends ends the connection
 * except broken framing (a length below a header or above libvirt's
 * maximum), which libvirt treats the same way; every other mistake is an
 * error reply and the connection goes on.
 *
 * Calls run concurrently, as in libvirt's worker pool; a client with
 * `maxRequests` calls in flight is not read from until one finishes. Once
 * the client has sent a keepalive ping of its own (it runs an event loop,
 * so it answers ours), we ping it after `keepalive.intervalMs` of silence
 * and drop it after `keepalive.count` pings with no traffic at all in
 * between (libvirt's keepalive_interval and keepalive_count); a client
 * without keepalive is never pinged, so it may sit idle. A client that
 * stops reading (its unread replies and events pile up past
 * `maxQueuedBytes`) is dropped too.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { isVirError } from '../util/errors.js';
import { RpcError, rpcFailure, toRemoteError, unknownProcedure, unsupportedApi } from './errors.js';
import type { EventSource } from './events.js';
import { EventCallbacks, type LifecycleMessage } from './events.js';
import type { Handlers, Session } from './dispatch.js';
import { FrameSplitter, FramingError, type MessageHeader, decodeMessage, encodeMessage } from './framing.js';
import { NETWORK_EVENT_LIFECYCLE, PROCEDURES, type ProcedureName, type ProcedureSpec, UNSUPPORTED } from './procedures.js';
import {
  ErrorCode,
  ErrorDomain,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  KeepaliveProc,
  MessageStatus,
  MessageType,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
} from './protocol.js';
import { remoteError } from './types.js';
import { XdrError, XdrReader, encode } from './xdr.js';

export interface ConnectionLimits {
  /** Calls in flight before the client is no longer read from (libvirt's max_client_requests). */
  maxRequests: number;
  /** Bytes of replies and events the client has not read before it is dropped. */
  maxQueuedBytes: number;
  keepalive: { intervalMs: number; count: number };
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxRequests: 5,
  maxQueuedBytes: 64 * 1024 * 1024,
  keepalive: { intervalMs: 5000, count: 5 },
};

export interface ConnectionOptions {
  socket: Socket;
  /** The read-only socket: only calls that change nothing. */
  readonlyListener: boolean;
  handlers: Handlers;
  events: EventSource;
  nextCallbackId: () => number;
  logger: Logger;
  limits?: ConnectionLimits;
  /** Told of each call taken, before it is answered. */
  onCall?: () => void;
}

type AnySpec = ProcedureSpec<unknown, unknown> & { name: ProcedureName };

const BY_NUMBER: ReadonlyMap<number, AnySpec> = new Map(
  Object.entries(PROCEDURES).map(([name, spec]) => [spec.number, { ...(spec as ProcedureSpec<unknown, unknown>), name: name as ProcedureName }]),
);

export class RpcConnection {
  private readonly socket: Socket;
  private readonly splitter = new FrameSplitter();
  private readonly limits: ConnectionLimits;
  private readonly logger: Logger;
  private readonly session: Session;
  private opened = false;
  private readonly: boolean;
  private inFlight = 0;
  private closed = false;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private unansweredPings = 0;
  private keepaliveOn = false;

  constructor(private readonly options: ConnectionOptions) {
    this.socket = options.socket;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.logger = options.logger;
    this.readonly = options.readonlyListener;
    const events = new EventCallbacks(options.events, options.nextCallbackId, (m) => this.sendEvent(m));
    const conn = this;
    this.session = {
      get readonly() {
        return conn.readonly;
      },
      open: (readonly) => {
        this.opened = true;
        this.readonly = this.options.readonlyListener || readonly;
      },
      close: () => {
        this.opened = false;
        events.stop();
      },
      events,
    };
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.socket.end());
    this.socket.on('error', (err) => this.logger.debug({ err: err.message }, 'libvirt client socket error'));
    this.socket.on('close', () => this.onClose());
  }

  /** Whether the client has opened the connection (tests). */
  get isOpen(): boolean {
    return this.opened;
  }

  /** End the connection now (the server is stopping). */
  destroy(): void {
    this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.session.events.stop();
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
  }

  private onData(chunk: Buffer): void {
    this.unansweredPings = 0;
    this.armKeepalive();
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      if (!(err instanceof FramingError)) throw err;
      this.logger.info({ err: err.message }, 'libvirt client broke the framing; closing');
      this.socket.destroy();
      return;
    }
    for (const frame of frames) this.onMessage(frame);
  }

  private onMessage(frame: Buffer): void {
    const { header, payload } = decodeMessage(frame);
    if (header.program === KEEPALIVE_PROGRAM) {
      if (header.procedure === KeepaliveProc.PING && header.version === KEEPALIVE_PROTOCOL_VERSION) {
        this.write(encodeMessage({ ...header, procedure: KeepaliveProc.PONG, type: MessageType.MESSAGE, status: MessageStatus.OK }));
        if (!this.keepaliveOn) this.startKeepalive();
      }
      return;
    }
    if (header.type !== MessageType.CALL && header.type !== MessageType.CALL_WITH_FDS) {
      this.logger.debug({ program: header.program, procedure: header.procedure, type: header.type }, 'ignoring a message that is not a call');
      return;
    }
    if (header.program !== REMOTE_PROGRAM || header.version !== REMOTE_PROTOCOL_VERSION) {
      this.replyError(header, rpcFailure(`Cannot find program ${header.program} version ${header.version}`), ErrorDomain.RPC);
      return;
    }
    this.options.onCall?.();
    this.inFlight++;
    if (this.inFlight >= this.limits.maxRequests) this.socket.pause();
    void this.dispatch(header, payload).finally(() => {
      this.inFlight--;
      if (this.inFlight < this.limits.maxRequests && !this.closed) this.socket.resume();
    });
  }

  private async dispatch(header: MessageHeader, payload: Buffer): Promise<void> {
    const spec = BY_NUMBER.get(header.procedure);
    if (spec === undefined) {
      const known = UNSUPPORTED.get(header.procedure);
      this.replyError(header, known ? unsupportedApi(known.api, known.domain) : unknownProcedure(header.procedure), ErrorDomain.RPC);
      return;
    }
    try {
      if (header.type === MessageType.CALL_WITH_FDS) throw rpcFailure('file descriptor passing is not supported');
      if (!this.opened && !spec.beforeOpen) throw new RpcError(ErrorCode.INTERNAL_ERROR, ErrorDomain.RPC, 'internal error: connection not open');
      if (this.readonly && spec.write)
        throw new RpcError(ErrorCode.OPERATION_DENIED, spec.domain, `operation forbidden: read only access prevents ${spec.api}`);
      let args: unknown;
      try {
        args = spec.args.decode(new XdrReader(payload));
      } catch (err) {
        if (err instanceof XdrError) throw rpcFailure('Unable to decode message payload');
        throw err;
      }
      const handler = this.options.handlers[spec.name] as (args: unknown, session: Session) => unknown;
      const ret = await handler(args, this.session);
      this.write(encodeMessage({ ...header, type: MessageType.REPLY, status: MessageStatus.OK }, encode(spec.ret, ret)));
    } catch (err) {
      if (!(err instanceof RpcError) && !isVirError(err)) {
        this.logger.error({ err, procedure: spec.name }, 'libvirt call failed unexpectedly');
      }
      this.replyError(header, err, spec.domain);
    }
  }

  private replyError(header: MessageHeader, err: unknown, domain: number): void {
    const body = encode(remoteError, toRemoteError(err, domain));
    this.write(encodeMessage({ ...header, type: MessageType.REPLY, status: MessageStatus.ERROR }, body));
  }

  private sendEvent(message: LifecycleMessage): void {
    const header: MessageHeader = {
      program: REMOTE_PROGRAM,
      version: REMOTE_PROTOCOL_VERSION,
      procedure: NETWORK_EVENT_LIFECYCLE.number,
      type: MessageType.MESSAGE,
      serial: 1,
      status: MessageStatus.OK,
    };
    this.write(encodeMessage(header, encode(NETWORK_EVENT_LIFECYCLE.body, message)));
  }

  private write(bytes: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.socket.writableLength > this.limits.maxQueuedBytes) {
      this.logger.info({ queued: this.socket.writableLength }, 'libvirt client does not read its replies; closing');
      this.socket.destroy();
      return;
    }
    this.socket.write(bytes);
  }

  private startKeepalive(): void {
    this.keepaliveOn = true;
    this.armKeepalive();
  }

  private armKeepalive(): void {
    if (!this.keepaliveOn || this.closed) return;
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = setTimeout(() => this.ping(), this.limits.keepalive.intervalMs);
    this.keepaliveTimer.unref();
  }

  private ping(): void {
    if (this.closed) return;
    if (this.unansweredPings >= this.limits.keepalive.count) {
      this.logger.info('libvirt client stopped answering keepalive pings; closing');
      this.socket.destroy();
      return;
    }
    this.unansweredPings++;
    const header: MessageHeader = {
      program: KEEPALIVE_PROGRAM,
      version: KEEPALIVE_PROTOCOL_VERSION,
      procedure: KeepaliveProc.PING,
      type: MessageType.MESSAGE,
      serial: 0,
      status: MessageStatus.OK,
    };
    this.write(encodeMessage(header));
    this.keepaliveTimer = setTimeout(() => this.ping(), this.limits.keepalive.intervalMs);
    this.keepaliveTimer.unref();
  }
}
