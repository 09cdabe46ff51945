/**
 * A bare libvirt RPC client for tests: sends calls built from the
 * procedure table's codecs (or raw bytes), collects every message the
 * server sends (replies by serial, events and keepalive pings in order).
 */
import { type Socket, createConnection } from 'node:net';
import { FrameSplitter, type Message, decodeMessage, encodeMessage } from '../../../src/libvirt-rpc/framing.js';
import { type ArgsOf, PROCEDURES, type ProcedureName, type RetOf } from '../../../src/libvirt-rpc/procedures.js';
import { MessageStatus, MessageType, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION } from '../../../src/libvirt-rpc/protocol.js';
import { type RemoteError, remoteError } from '../../../src/libvirt-rpc/types.js';
import { decode, encode } from '../../../src/libvirt-rpc/xdr.js';

export class RpcCallError extends Error {
  constructor(readonly error: RemoteError) {
    super(error.message ?? `libvirt error ${error.code}`);
  }
}

export class TestRpcClient {
  private readonly splitter = new FrameSplitter();
  private serial = 0;
  private readonly waiting = new Map<number, (m: Message) => void>();
  /** Messages that are not replies (events, keepalive), in arrival order. */
  readonly unsolicited: Message[] = [];
  private unsolicitedWaiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) {
        const m = decodeMessage(frame);
        const waiter = m.header.type === MessageType.REPLY ? this.waiting.get(m.header.serial) : undefined;
        if (waiter) {
          this.waiting.delete(m.header.serial);
          waiter(m);
        } else {
          this.unsolicited.push(m);
          for (const w of this.unsolicitedWaiters.splice(0)) w();
        }
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(path: string): Promise<TestRpcClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ path });
      s.once('connect', () => resolve(new TestRpcClient(s)));
      s.once('error', reject);
    });
  }

  /** Send one raw call (any program, procedure, payload) and wait for its reply. */
  raw(
    procedure: number,
    payload: Buffer = Buffer.alloc(0),
    program = REMOTE_PROGRAM,
    version = REMOTE_PROTOCOL_VERSION,
    type: number = MessageType.CALL,
  ): Promise<Message> {
    const serial = this.serial++;
    const reply = new Promise<Message>((resolve) => this.waiting.set(serial, resolve));
    this.socket.write(encodeMessage({ program, version, procedure, type: type as MessageType, serial, status: MessageStatus.OK }, payload));
    return reply;
  }

  /** A call through the procedure table: resolves with the decoded reply, rejects with RpcCallError. */
  async call<P extends ProcedureName>(name: P, args: ArgsOf<P>): Promise<RetOf<P>> {
    const spec = PROCEDURES[name] as unknown as { number: number; args: { encode: unknown }; ret: unknown };
    const payload = encode(spec.args as never, args as never);
    const reply = await this.raw(spec.number, payload);
    if (reply.header.status === MessageStatus.ERROR) throw new RpcCallError(decode(remoteError, reply.payload));
    return decode(spec.ret as never, reply.payload) as RetOf<P>;
  }

  /** The error a call fails with. */
  async failure<P extends ProcedureName>(name: P, args: ArgsOf<P>): Promise<RemoteError> {
    try {
      await this.call(name, args);
    } catch (err) {
      if (err instanceof RpcCallError) return err.error;
      throw err;
    }
    throw new Error(`${name} succeeded`);
  }

  /** What virsh does before its command: auth list, keepalive probe, open. */
  async open(readonly = false): Promise<void> {
    await this.call('AUTH_LIST', undefined);
    await this.call('CONNECT_SUPPORTS_FEATURE', { feature: 10 });
    await this.call('CONNECT_OPEN', { name: 'network:///system', flags: readonly ? 1 : 0 });
  }

  /** Wait until `count` unsolicited messages have arrived. */
  async nextUnsolicited(count = 1): Promise<Message[]> {
    while (this.unsolicited.length < count) await new Promise<void>((resolve) => this.unsolicitedWaiters.push(resolve));
    return this.unsolicited.splice(0, count);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): Promise<void> {
    this.socket.end();
    return this.closed;
  }
}
