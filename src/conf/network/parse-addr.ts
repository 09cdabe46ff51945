/**
 * IP addresses as libvirt's XML parser reads them (virsocketaddr.c), built on
 * src/util/ip.ts:
 * - IP addresses go through getaddrinfo(AI_NUMERICHOST) in libvirt, so IPv4
 *   accepts every inet_aton form ("10.1" = 10.0.0.1, "0x7f.1", octal "010.0.0.1");
 *   the model keeps the canonical text.
 * - virSocketAddrGetIPPrefix and virSocketAddrGetRange with their exact errors.
 * MAC addresses and UUIDs, which guests share, are in src/conf/common/mac-uuid.ts.
 */
import type { AddressFamily } from './types.js';
import { VirError } from '../../util/errors.js';
import { familyBits, formatIp, maskFromPrefix, parseIp, type IpAddress } from '../../util/ip.js';

/** glibc's inet_aton_exact: 1 to 4 parts, each decimal, 0x-hex or 0-octal, the last filling the remaining bytes. */
function parseInetAton(text: string): bigint | undefined {
  const parts: bigint[] = [];
  let i = 0;
  for (;;) {
    const c = text[i];
    if (c === undefined || c < '0' || c > '9') return undefined;
    let base = 10;
    let j = i;
    if (text[j] === '0') {
      if ((text[j + 1] === 'x' || text[j + 1] === 'X') && /[0-9a-fA-F]/.test(text[j + 2] ?? '')) {
        base = 16;
        j += 2;
      } else base = 8;
    }
    const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
    let value = 0n;
    while (j < text.length && digits.test(text[j]!)) {
      value = value * BigInt(base) + BigInt(parseInt(text[j]!, 16));
      if (value > 0xffffffffn) return undefined;
      j++;
    }
    i = j;
    if (text[i] === '.') {
      if (parts.length > 2 || value > 0xffn) return undefined;
      parts.push(value);
      i++;
      continue;
    }
    if (i !== text.length) return undefined;
    const max = [0xffffffffn, 0xffffffn, 0xffffn, 0xffn][parts.length]!;
    if (value > max) return undefined;
    let result = 0n;
    parts.forEach((p, k) => {
      result |= p << BigInt(24 - 8 * k);
    });
    return result | value;
  }
}

/**
 * virSocketAddrParse: a numeric address of the given family (any when
 * omitted), or undefined where getaddrinfo would fail.
 */
export function parseSocketAddr(text: string, family?: AddressFamily): IpAddress | undefined {
  if (family !== 'ipv6') {
    const v4 = parseInetAton(text);
    if (v4 !== undefined) return { family: 'ipv4', value: v4 };
    if (family === 'ipv4') return undefined;
  }
  if (!text.includes(':')) return undefined;
  const v6 = parseIp(text);
  return v6?.family === 'ipv6' ? v6 : undefined;
}

/** The error virSocketAddrParse itself reports (class SYSTEM_ERROR, gai_strerror text). */
function socketAddrError(text: string): VirError {
  return new VirError('SYSTEM_ERROR', `Cannot parse socket address '${text}': Name or service not known`);
}

/** virSocketAddrParse that reports its own error. */
export function parseSocketAddrOrThrow(text: string, family?: AddressFamily): IpAddress {
  const a = parseSocketAddr(text, family);
  if (!a) throw socketAddrError(text);
  return a;
}

/** virSocketAddrMaskByPrefix: undefined where libvirt's mask fails (prefix out of range). */
export function maskByPrefix(addr: IpAddress, prefix: number): IpAddress | undefined {
  if (prefix < 0 || prefix > familyBits(addr.family)) return undefined;
  return { family: addr.family, value: addr.value & maskFromPrefix(addr.family, prefix) };
}

const internal = (detail: string): VirError => new VirError('INTERNAL_ERROR', detail);

/**
 * virSocketAddrGetRange with a network: checks a DHCP range (or, without a
 * network, a NAT address range) and returns its size, throwing libvirt's
 * INTERNAL_ERROR texts.
 */
export function checkRange(start: IpAddress, end: IpAddress, network?: { address: IpAddress; prefix: number }): number {
  const startStr = formatIp(start);
  const endStr = formatIp(end);
  if (start.family !== end.family) throw internal(`mismatch of address family in range ${startStr} - ${endStr}`);
  if (network) {
    const netStr = formatIp(network.address);
    const { prefix } = network;
    if (start.family !== network.address.family) {
      throw internal(`mismatch of address family in range ${startStr} - ${endStr} for network ${netStr}`);
    }
    if (prefix < 0 || prefix > familyBits(start.family)) {
      throw internal(`bad prefix ${prefix} for network ${netStr} when checking range ${startStr} - ${endStr}`);
    }
    const mask = maskFromPrefix(start.family, prefix);
    const net = network.address.value & mask;
    if ((start.value & mask) !== net || (end.value & mask) !== net) {
      throw internal(`range ${startStr} - ${endStr} is not entirely within network ${netStr}/${prefix}`);
    }
    if (start.family === 'ipv4') {
      const broadcast = net | (0xffffffffn ^ mask);
      if (start.value === net) {
        throw internal(`start of range ${startStr} - ${endStr} in network ${netStr}/${prefix} is the network address`);
      }
      if (end.value === broadcast) {
        throw internal(`end of range ${startStr} - ${endStr} in network ${netStr}/${prefix} is the broadcast address`);
      }
    }
  }
  if (start.family === 'ipv4') {
    if (start.value >> 16n !== end.value >> 16n) throw internal(`range ${startStr} - ${endStr} is too large (> 65535)`);
    const size = Number(end.value & 0xffffn) - Number(start.value & 0xffffn);
    // libvirt's text has a trailing space here.
    if (size < 0) throw internal(`range ${startStr} - ${endStr} is reversed `);
    return size + 1;
  }
  if (start.value >> 16n !== end.value >> 16n) throw internal(`range ${startStr} - ${endStr} is too large (> 65535)`);
  const size = Number(end.value & 0xffffn) - Number(start.value & 0xffffn);
  if (size < 0) throw internal(`range ${startStr} - ${endStr} start larger than end`);
  return size + 1;
}
