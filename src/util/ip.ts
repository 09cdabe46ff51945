/**
 * IP address arithmetic for network definitions: parsing, canonical text
 * (as glibc's inet_ntop prints it, which is what libvirt writes), prefixes,
 * netmasks and subnet membership. Addresses are held as bigints.
 */
export type AddressFamily = 'ipv4' | 'ipv6';

export interface IpAddress {
  family: AddressFamily;
  /** The address as an unsigned integer (32 or 128 bits). */
  value: bigint;
}

const V4_BITS = 32;
const V6_BITS = 128;

export function familyBits(family: AddressFamily): number {
  return family === 'ipv4' ? V4_BITS : V6_BITS;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const doubleColon = head.indexOf('::');
  if (doubleColon !== head.lastIndexOf('::')) return undefined;
  let groups: string[];
  if (doubleColon >= 0) {
    const left = head.slice(0, doubleColon);
    const right = head.slice(doubleColon + 2);
    const l = left === '' ? [] : left.split(':');
    const r = right === '' ? [] : right.split(':');
    const missing = 8 - l.length - r.length;
    if (missing < 1) return undefined;
    groups = [...l, ...Array<string>(missing).fill('0'), ...r];
  } else {
    groups = head.split(':');
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parse a numeric IPv4 or IPv6 address; undefined if it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 'ipv4', value: v4 };
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 !== undefined) return { family: 'ipv6', value: v6 };
  }
  return undefined;
}

function formatIpv4(value: bigint): string {
  const out: number[] = [];
  for (let shift = 24n; shift >= 0n; shift -= 8n) out.push(Number((value >> shift) & 0xffn));
  return out.join('.');
}

/** IPv6 text as glibc's inet_ntop writes it (longest zero run of 2+ groups compressed; embedded IPv4 forms). */
function formatIpv6(value: bigint): string {
  const words: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) words.push(Number((value >> shift) & 0xffffn));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;

  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      s += formatIpv4(value & 0xffffffffn);
      break;
    }
    s += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}

export function formatIp(addr: IpAddress): string {
  return addr.family === 'ipv4' ? formatIpv4(addr.value) : formatIpv6(addr.value);
}

/** Canonical text of an address string, or undefined if it does not parse. */
export function canonicalIp(text: string): string | undefined {
  const a = parseIp(text);
  return a ? formatIp(a) : undefined;
}

export function maskFromPrefix(family: AddressFamily, prefix: number): bigint {
  const bits = familyBits(family);
  if (prefix <= 0) return 0n;
  const all = (1n << BigInt(bits)) - 1n;
  return (all << BigInt(bits - prefix)) & all;
}

/** The prefix length of a contiguous netmask, or undefined for a non-contiguous one. */
export function prefixFromNetmask(mask: IpAddress): number | undefined {
  const bits = familyBits(mask.family);
  let prefix = 0;
  while (prefix < bits && ((mask.value >> BigInt(bits - 1 - prefix)) & 1n) === 1n) prefix++;
  return mask.value === maskFromPrefix(mask.family, prefix) ? prefix : undefined;
}

/**
 * The prefix of an address given with a prefix or a netmask, or with
 * neither (libvirt's virSocketAddrGetIPPrefix, behind every `<ip>` and
 * `<route>`): a positive prefix, else the netmask's bit count (-1 if not
 * contiguous), else the classful prefix of an IPv4 address (0 for 0.0.0.0,
 * -1 for class D/E), else 64 for IPv6 (0 for ::), else 0. The one prefix
 * rule: the parser, the planners, the runtimes and the console use it.
 */
export function ipPrefixOf(address: IpAddress | undefined, netmask: IpAddress | undefined, prefix: number | undefined): number {
  if (prefix !== undefined && prefix > 0) return prefix;
  if (netmask) return prefixFromNetmask(netmask) ?? -1;
  if (address?.family === 'ipv4') {
    if (address.value === 0n) return 0;
    const octet = Number(address.value >> 24n);
    if ((octet & 0x80) === 0) return 8;
    if ((octet & 0xc0) === 0x80) return 16;
    if ((octet & 0xe0) === 0xc0) return 24;
    return -1;
  }
  if (address?.family === 'ipv6') return address.value === 0n ? 0 : 64;
  return 0;
}

/** ipPrefixOf for an `<ip>` or `<route>` as the model holds it (address and netmask as text; unparsable text counts as absent). */
export function effectivePrefix(ip: { address?: string | undefined; netmask?: string | undefined; prefix?: number | undefined }): number {
  const address = ip.address === undefined ? undefined : parseIp(ip.address);
  const netmask = ip.netmask === undefined ? undefined : parseIp(ip.netmask);
  return ipPrefixOf(address, netmask, ip.prefix);
}

export function networkOf(addr: IpAddress, prefix: number): IpAddress {
  return { family: addr.family, value: addr.value & maskFromPrefix(addr.family, prefix) };
}

export function broadcastOf(addr: IpAddress, prefix: number): IpAddress {
  const bits = familyBits(addr.family);
  const host = ((1n << BigInt(bits)) - 1n) ^ maskFromPrefix(addr.family, prefix);
  return { family: addr.family, value: (addr.value & maskFromPrefix(addr.family, prefix)) | host };
}

/** Whether `addr` lies in `network`/`prefix` (same family required). */
export function inSubnet(addr: IpAddress, network: IpAddress, prefix: number): boolean {
  if (addr.family !== network.family) return false;
  const mask = maskFromPrefix(addr.family, prefix);
  return (addr.value & mask) === (network.value & mask);
}

/** Whether two subnets share any address. */
export function subnetsOverlap(a: IpAddress, aPrefix: number, b: IpAddress, bPrefix: number): boolean {
  if (a.family !== b.family) return false;
  const p = Math.min(aPrefix, bPrefix);
  return inSubnet(a, b, p);
}

export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
