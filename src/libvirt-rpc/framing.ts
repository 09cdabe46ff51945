/**
 * libvirt's message framing on a stream socket: a 4-byte big-endian length
 * (counting itself), a 24-byte header (program, version, procedure, type,
 * serial, status) and the XDR payload. `FrameSplitter` cuts the byte stream
 * into messages; `encodeMessage` builds one.
 */
import { XdrReader, XdrWriter } from './xdr.js';
import type { MessageStatus, MessageType } from './protocol.js';

/** libvirt's VIR_NET_MESSAGE_MAX: the largest message either side accepts (length word included). */
export const MESSAGE_MAX = 32 * 1024 * 1024;
const LENGTH_SIZE = 4;
const HEADER_SIZE = 24;

export interface MessageHeader {
  program: number;
  version: number;
  procedure: number;
  type: MessageType;
  serial: number;
  status: MessageStatus;
}

export interface Message {
  header: MessageHeader;
  payload: Buffer;
}

/** The stream broke libvirt's framing: the connection cannot go on. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

function encodeHeader(w: XdrWriter, h: MessageHeader): void {
  w.uint(h.program).uint(h.version).int(h.procedure).int(h.type).uint(h.serial).int(h.status);
}

function decodeHeader(r: XdrReader): MessageHeader {
  return {
    program: r.uint(),
    version: r.uint(),
    procedure: r.int(),
    type: r.int() as MessageType,
    serial: r.uint(),
    status: r.int() as MessageStatus,
  };
}

/** One whole message: length, header, payload. */
export function encodeMessage(header: MessageHeader, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const w = new XdrWriter(LENGTH_SIZE + HEADER_SIZE + payload.length);
  w.uint(0);
  encodeHeader(w, header);
  w.raw(payload);
  if (w.length > MESSAGE_MAX) throw new FramingError(`message of ${w.length} bytes exceeds libvirt's maximum of ${MESSAGE_MAX}`);
  w.patchUint(0, w.length);
  return w.bytes();
}

/** Split a message (without its length word) into header and payload. */
export function decodeMessage(frame: Buffer): Message {
  const header = decodeHeader(new XdrReader(frame.subarray(0, HEADER_SIZE)));
  return { header, payload: frame.subarray(HEADER_SIZE) };
}

/**
 * Cuts a byte stream into messages. Feed it whatever the socket delivers;
 * it returns the complete messages (without their length words) and keeps
 * the rest. A length below a header's size or above MESSAGE_MAX throws.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < LENGTH_SIZE) break;
      const head = this.peek(LENGTH_SIZE);
      const length = head.readUInt32BE(0);
      if (length < LENGTH_SIZE + HEADER_SIZE) throw new FramingError(`message length ${length} is shorter than a header`);
      if (length > MESSAGE_MAX) throw new FramingError(`message length ${length} exceeds libvirt's maximum of ${MESSAGE_MAX}`);
      if (this.buffered < length) break;
      frames.push(this.take(length).subarray(LENGTH_SIZE));
    }
    return frames;
  }

  /** Bytes received that do not make a whole message yet. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] as Buffer;
  }

  private take(n: number): Buffer {
    const all = this.peek(n);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks.shift();
    if (rest.length > 0) this.chunks.unshift(rest);
    this.buffered -= n;
    return out;
  }
}
