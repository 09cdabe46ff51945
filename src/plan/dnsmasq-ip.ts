/**
 * The address arithmetic the dnsmasq planner needs, with libvirt's own
 * rules and error texts (the prefix rule itself is `effectivePrefix` in
 * src/util/ip.ts): the reverse-DNS zone of a subnet (virSocketAddrPTRDomain) and the size of a
 * DHCP range (virSocketAddrGetRange, which feeds dhcp-lease-max).
 */
import type { AddressFamily, IpDef } from '../conf/network/types.js';
import { configUnsupported, internalError } from '../util/errors.js';
import { effectivePrefix, formatIp, maskFromPrefix, parseIp, type IpAddress } from '../util/ip.js';

/** The family of an <ip>'s address as parsed (libvirt looks at the address, not the attribute); undefined without one. */
export function addressFamily(ip: IpDef): AddressFamily | undefined {
  return ip.address === undefined ? undefined : parseIp(ip.address)?.family;
}

/** An address in inet_ntop's text (libvirt's virSocketAddrFormat); unparsable text is passed through. */
export function formatAddress(text: string): string {
  const a = parseIp(text);
  return a ? formatIp(a) : text;
}

/** How C's %u prints an int (libvirt prints the prefix that way in the PTR error). */
function asUnsigned(n: number): number {
  return n < 0 ? n + 2 ** 32 : n;
}

/**
 * The reverse zone for `local=/ZONE/` (virSocketAddrPTRDomain): the first
 * prefix/8 bytes (IPv4) or prefix/4 nibbles (IPv6) of the address, reversed,
 * under in-addr.arpa / ip6.arpa. A prefix that is 0, the full width, or not a
 * multiple of 8 (IPv4) / 4 (IPv6) has no such zone: libvirt refuses it.
 */
export function ptrDomain(ip: IpDef): string {
  const prefix = effectivePrefix(ip);
  const addr = ip.address === undefined ? undefined : parseIp(ip.address);
  const fail = (): Error => {
    const label = addr?.family === 'ipv4' ? 'IPv4' : 'IPv6';
    return configUnsupported(`PTR domain for ${label} network with prefix ${asUnsigned(prefix)} cannot be automatically created`);
  };
  if (!addr) throw fail();
  const width = addr.family === 'ipv4' ? 32 : 128;
  const step = addr.family === 'ipv4' ? 8 : 4;
  if (prefix <= 0 || prefix >= width || prefix % step !== 0) throw fail();
  const labels: string[] = [];
  for (let i = prefix / step; i > 0; i--) {
    const shift = BigInt(width - i * step);
    const part = Number((addr.value >> shift) & ((1n << BigInt(step)) - 1n));
    labels.push(addr.family === 'ipv4' ? String(part) : part.toString(16));
  }
  return `${labels.join('.')}.${addr.family === 'ipv4' ? 'in-addr.arpa' : 'ip6.arpa'}`;
}

/** The IPv4 netmask text for a prefix, as dhcp-range wants it; undefined past 32. */
export function ipv4Netmask(prefix: number): string | undefined {
  if (prefix < 0 || prefix > 32) return undefined;
  return formatIp({ family: 'ipv4', value: maskFromPrefix('ipv4', prefix) });
}

function parseOrFail(text: string, start: string, end: string): IpAddress {
  const a = parseIp(text);
  if (!a) throw internalError(`unsupported address family for range ${start} - ${end}, must be ipv4 or ipv6`);
  return a;
}

/**
 * The number of addresses in a DHCP range inside the <ip>'s subnet
 * (virSocketAddrGetRange), with libvirt's checks and texts: same family,
 * both ends inside network/prefix, (IPv4) neither the network nor the
 * broadcast address, and only the low 16 bits may differ.
 */
export function dhcpRangeSize(startText: string, endText: string, networkText: string, prefix: number): number {
  const startStr = formatAddress(startText);
  const endStr = formatAddress(endText);
  const start = parseOrFail(startText, startStr, endStr);
  const end = parseOrFail(endText, startStr, endStr);
  if (start.family !== end.family) throw internalError(`mismatch of address family in range ${startStr} - ${endStr}`);

  const network = parseIp(networkText);
  if (network) {
    const netStr = formatIp(network);
    if (start.family !== network.family) {
      throw internalError(`mismatch of address family in range ${startStr} - ${endStr} for network ${netStr}`);
    }
    const width = network.family === 'ipv4' ? 32 : 128;
    if (prefix < 0 || prefix > width) {
      throw internalError(`bad prefix ${prefix} for network ${netStr} when checking range ${startStr} - ${endStr}`);
    }
    const mask = maskFromPrefix(network.family, prefix);
    if ((start.value & mask) !== (network.value & mask) || (end.value & mask) !== (network.value & mask)) {
      throw internalError(`range ${startStr} - ${endStr} is not entirely within network ${netStr}/${prefix}`);
    }
    if (start.family === 'ipv4') {
      const netaddr = network.value & mask;
      const broadcast = network.value | (~mask & 0xffffffffn);
      if (start.value === netaddr) {
        throw internalError(`start of range ${startStr} - ${endStr} in network ${netStr}/${prefix} is the network address`);
      }
      if (end.value === broadcast) {
        throw internalError(`end of range ${startStr} - ${endStr} in network ${netStr}/${prefix} is the broadcast address`);
      }
    }
  }

  const lowBits = 16n;
  if (start.value >> lowBits !== end.value >> lowBits) throw internalError(`range ${startStr} - ${endStr} is too large (> 65535)`);
  const size = Number(end.value - start.value);
  if (size < 0) {
    throw internalError(
      start.family === 'ipv4' ? `range ${startStr} - ${endStr} is reversed ` : `range ${startStr} - ${endStr} start larger than end`,
    );
  }
  return size + 1;
}
