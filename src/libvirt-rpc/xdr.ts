/**
 * XDR (RFC 4506) as libvirt's RPC uses it: big-endian 4-byte units, strings
 * and variable opaques as a length then bytes padded to 4, optional values
 * (`type *name`) as a 0/1 word then the value, arrays as a count then the
 * items. `XdrWriter` / `XdrReader` move bytes; a `Codec<T>` ties a layout to
 * its TypeScript type, and the combinators below build the protocol's
 * structs from the basic types, so every layout is declared once and both
 * encodes and decodes.
 *
 * Decoding never trusts a length: counts and string lengths are checked
 * against the declared maximum and against the bytes left before anything
 * is allocated (an XdrError, which the connection answers as libvirt's
 * "Unable to decode message payload").
 */

export class XdrError extends Error {
  override readonly name = 'XdrError';
}

export class XdrWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** A number of `size` bytes, written by `write` at the end of what is written. */
  private put(size: number, write: (offset: number) => unknown): this {
    this.room(size);
    write(this.len);
    this.len += size;
    return this;
  }

  int(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new XdrError(`int out of range: ${v}`);
    return this.put(4, (at) => this.buf.writeInt32BE(v, at));
  }

  uint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new XdrError(`unsigned int out of range: ${v}`);
    return this.put(4, (at) => this.buf.writeUInt32BE(v, at));
  }

  hyper(v: bigint): this {
    return this.put(8, (at) => this.buf.writeBigInt64BE(BigInt.asIntN(64, v), at));
  }

  uhyper(v: bigint): this {
    return this.put(8, (at) => this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), at));
  }

  double(v: number): this {
    return this.put(8, (at) => this.buf.writeDoubleBE(v, at));
  }

  /** Exactly `size` bytes, padded to 4 (a fixed opaque). */
  fixedOpaque(bytes: Uint8Array, size: number): this {
    if (bytes.length !== size) throw new XdrError(`fixed opaque of ${size} bytes given ${bytes.length}`);
    this.room(size + 3);
    this.buf.set(bytes, this.len);
    this.len += size;
    this.pad(size);
    return this;
  }

  /** A length, the bytes, padding (a variable opaque or a string). */
  varOpaque(bytes: Uint8Array, max: number): this {
    if (bytes.length > max) throw new XdrError(`opaque of ${bytes.length} bytes exceeds its maximum of ${max}`);
    this.uint(bytes.length);
    this.room(bytes.length + 3);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    this.pad(bytes.length);
    return this;
  }

  string(v: string, max: number): this {
    return this.varOpaque(Buffer.from(v, 'utf8'), max);
  }

  /** Raw bytes, already XDR (a payload encoded elsewhere). */
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  private pad(n: number): void {
    const p = (4 - (n % 4)) % 4;
    this.buf.fill(0, this.len, this.len + p);
    this.len += p;
  }

  get length(): number {
    return this.len;
  }

  /** Overwrite a 4-byte unsigned word already written (a length prefix). */
  patchUint(offset: number, v: number): void {
    this.buf.writeUInt32BE(v, offset);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export class XdrReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new XdrError(`message ends early: ${n} more bytes needed at offset ${this.pos}`);
  }

  /** A number of `size` bytes, read by `read` where the reading is. */
  private take<T>(size: number, read: (offset: number) => T): T {
    this.need(size);
    const v = read(this.pos);
    this.pos += size;
    return v;
  }

  int(): number {
    return this.take(4, (at) => this.buf.readInt32BE(at));
  }

  uint(): number {
    return this.take(4, (at) => this.buf.readUInt32BE(at));
  }

  hyper(): bigint {
    return this.take(8, (at) => this.buf.readBigInt64BE(at));
  }

  uhyper(): bigint {
    return this.take(8, (at) => this.buf.readBigUInt64BE(at));
  }

  double(): number {
    return this.take(8, (at) => this.buf.readDoubleBE(at));
  }

  fixedOpaque(size: number): Buffer {
    const padded = size + ((4 - (size % 4)) % 4);
    this.need(padded);
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + size));
    this.pos += padded;
    return v;
  }

  varOpaque(max: number): Buffer {
    const n = this.uint();
    if (n > max) throw new XdrError(`opaque of ${n} bytes exceeds its maximum of ${max}`);
    return this.fixedOpaque(n);
  }

  string(max: number): string {
    return this.varOpaque(max).toString('utf8');
  }

  /** A count of items, each at least `minItemSize` bytes, checked against the bytes left. */
  count(max: number, minItemSize: number): number {
    const n = this.uint();
    if (n > max) throw new XdrError(`array of ${n} items exceeds its maximum of ${max}`);
    if (n * minItemSize > this.remaining) throw new XdrError(`array of ${n} items cannot fit in ${this.remaining} bytes`);
    return n;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

/** A layout: how one value of type T is written and read. */
export interface Codec<T> {
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

export type TypeOf<C> = C extends Codec<infer T> ? T : never;

export const int: Codec<number> = { encode: (w, v) => void w.int(v), decode: (r) => r.int() };
export const uint: Codec<number> = { encode: (w, v) => void w.uint(v), decode: (r) => r.uint() };
export const hyper: Codec<bigint> = { encode: (w, v) => void w.hyper(v), decode: (r) => r.hyper() };
export const uhyper: Codec<bigint> = { encode: (w, v) => void w.uhyper(v), decode: (r) => r.uhyper() };
export const double: Codec<number> = { encode: (w, v) => void w.double(v), decode: (r) => r.double() };

/** An int that libvirt reads as a boolean: written 0/1, any non-zero read as true. */
export const boolInt: Codec<boolean> = { encode: (w, v) => void w.int(v ? 1 : 0), decode: (r) => r.int() !== 0 };

/** No bytes at all (a call without arguments or a reply without data). */
export const empty: Codec<undefined> = { encode: () => {}, decode: () => undefined };

export function string(max: number): Codec<string> {
  return { encode: (w, v) => void w.string(v, max), decode: (r) => r.string(max) };
}

export function fixedOpaque(size: number): Codec<Buffer> {
  return { encode: (w, v) => void w.fixedOpaque(v, size), decode: (r) => r.fixedOpaque(size) };
}

/** `type *name`: absent or one value. */
export function optional<T>(codec: Codec<T>): Codec<T | undefined> {
  return {
    encode(w, v) {
      if (v === undefined) w.uint(0);
      else {
        w.uint(1);
        codec.encode(w, v);
      }
    },
    decode(r) {
      const present = r.uint();
      if (present > 1) throw new XdrError(`optional value marker ${present} is neither 0 nor 1`);
      return present === 1 ? codec.decode(r) : undefined;
    },
  };
}

/** `type name<max>`: a count then the items (each at least 4 bytes on the wire). */
export function array<T>(codec: Codec<T>, max: number): Codec<T[]> {
  return {
    encode(w, v) {
      if (v.length > max) throw new XdrError(`array of ${v.length} items exceeds its maximum of ${max}`);
      w.uint(v.length);
      for (const item of v) codec.encode(w, item);
    },
    decode(r) {
      const n = r.count(max, 4);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(codec.decode(r));
      return out;
    },
  };
}

/** `type name[size]`: exactly `size` items, no count. */
export function fixedArray<T>(codec: Codec<T>, size: number): Codec<T[]> {
  return {
    encode(w, v) {
      if (v.length !== size) throw new XdrError(`fixed array of ${size} items given ${v.length}`);
      for (const item of v) codec.encode(w, item);
    },
    decode(r) {
      const out: T[] = [];
      for (let i = 0; i < size; i++) out.push(codec.decode(r));
      return out;
    },
  };
}

type Fields = Record<string, Codec<unknown>>;
type StructOf<F extends Fields> = { [K in keyof F]: TypeOf<F[K]> };

/** A struct: its fields in declaration order. */
export function struct<F extends Fields>(fields: F): Codec<StructOf<F>> {
  const entries = Object.entries(fields);
  return {
    encode(w, v) {
      for (const [name, codec] of entries) codec.encode(w, (v as Record<string, unknown>)[name]);
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) out[name] = codec.decode(r);
      return out as StructOf<F>;
    },
  };
}

/** Encode one value into a fresh buffer. */
export function encode<T>(codec: Codec<T>, v: T): Buffer {
  const w = new XdrWriter();
  codec.encode(w, v);
  return w.bytes();
}

/** Decode one value from a whole buffer. */
export function decode<T>(codec: Codec<T>, bytes: Buffer): T {
  return codec.decode(new XdrReader(bytes));
}
