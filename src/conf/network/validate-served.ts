/**
 * What a network serves must be able to work. Beyond libvirt's own checks
 * (validate.ts), virtnet refuses, at net-define, net-create and net-update
 * alike:
 *
 * - an `<ip>` on a loopback, multicast or link-local subnet (127.0.0.0/8,
 *   224.0.0.0/4, 169.254.0.0/16; ::1, ff00::/8, fe80::/10): the kernel
 *   does not route such a subnet to guests;
 * - a DHCP reservation on the network's own address, its network address
 *   or (IPv4) its broadcast address: dnsmasq would hand out an address no
 *   guest can use;
 * - two DHCP ranges of one `<ip>` that overlap;
 * - DNS records added by net-update to a network with no DNS server (a
 *   bridge, macvtap or hostdev network, or `<dns enable='no'>`), refused
 *   with the very text net-define gives for such a document.
 *
 * The console checks its forms with the same functions
 * (dhcpHostAddressProblem), so what the form accepts is what the daemon
 * accepts. Pure: no I/O.
 */
import type { IpDef, NetworkDef } from './types.js';
import { VIRTUAL_FORWARD_MODES } from './types.js';
import { configUnsupported, xmlError } from '../../util/errors.js';
import { broadcastOf, compareIp, effectivePrefix, formatIp, networkOf, parseIp, subnetsOverlap, type IpAddress } from '../../util/ip.js';

export type SpecialSubnet = 'loopback' | 'multicast' | 'link-local';

const SPECIAL: { kind: SpecialSubnet; network: IpAddress; prefix: number }[] = [
  { kind: 'loopback', network: { family: 'ipv4', value: 0x7f000000n }, prefix: 8 },
  { kind: 'multicast', network: { family: 'ipv4', value: 0xe0000000n }, prefix: 4 },
  { kind: 'link-local', network: { family: 'ipv4', value: 0xa9fe0000n }, prefix: 16 },
  { kind: 'loopback', network: { family: 'ipv6', value: 1n }, prefix: 128 },
  { kind: 'multicast', network: { family: 'ipv6', value: 0xffn << 120n }, prefix: 8 },
  { kind: 'link-local', network: { family: 'ipv6', value: 0xfe80n << 112n }, prefix: 10 },
];

/** Whether a subnet is (or overlaps) one that cannot carry a network: loopback, multicast, link-local. */
export function specialSubnet(network: IpAddress, prefix: number): SpecialSubnet | undefined {
  // A prefix of 0 is the whole address space, which the network checks refuse on their own.
  if (prefix <= 0) return undefined;
  return SPECIAL.find((s) => subnetsOverlap(network, prefix, s.network, s.prefix))?.kind;
}

type HostAddressProblem = 'gateway' | 'network' | 'broadcast';

/**
 * Why a DHCP reservation may not take `address` in `ip`: it is the
 * network's own address, the subnet's network address, or its IPv4
 * broadcast address; undefined when it may.
 */
export function dhcpHostAddressProblem(ip: IpDef, address: IpAddress): HostAddressProblem | undefined {
  const own = ip.address === undefined ? undefined : parseIp(ip.address);
  if (!own || own.family !== address.family) return undefined;
  const prefix = effectivePrefix(ip);
  if (address.value === own.value) return 'gateway';
  if (prefix <= 0 || prefix >= (own.family === 'ipv4' ? 31 : 127)) return undefined;
  if (address.value === networkOf(own, prefix).value) return 'network';
  if (own.family === 'ipv4' && address.value === broadcastOf(own, prefix).value) return 'broadcast';
  return undefined;
}

function subnetText(ip: IpDef, own: IpAddress): string {
  const prefix = effectivePrefix(ip);
  return `${formatIp(networkOf(own, prefix))}/${prefix}`;
}

/** Every `<ip>`'s subnet: not loopback, multicast or link-local. */
export function checkIpSubnets(def: NetworkDef): void {
  for (const ip of def.ips) {
    const own = ip.address === undefined ? undefined : parseIp(ip.address);
    if (!own) continue;
    // Without a usable prefix (a class D address given alone), the address itself is what is checked.
    const given = effectivePrefix(ip);
    const prefix = given > 0 ? given : own.family === 'ipv4' ? 32 : 128;
    const network = networkOf(own, prefix);
    const kind = specialSubnet(network, prefix);
    if (kind !== undefined) {
      throw configUnsupported(`network '${def.name}' cannot use the ${kind} subnet ${formatIp(network)}/${prefix}`);
    }
  }
}

/** Every `<ip>`'s reservations (on none of its own addresses) and ranges (not overlapping each other). */
export function checkDhcpEntries(def: NetworkDef): void {
  for (const ip of def.ips) {
    const own = ip.address === undefined ? undefined : parseIp(ip.address);
    if (!own) continue;
    for (const host of ip.hosts) {
      const a = host.ip === undefined ? undefined : parseIp(host.ip);
      if (!a) continue;
      const problem = dhcpHostAddressProblem(ip, a);
      if (problem === 'gateway') {
        throw configUnsupported(`DHCP host address ${formatIp(a)} in network '${def.name}' is the network's own address`);
      }
      if (problem !== undefined) {
        throw configUnsupported(`DHCP host address ${formatIp(a)} in network '${def.name}' is the ${problem} address of ${subnetText(ip, own)}`);
      }
    }
    const ranges = ip.ranges.map((r) => ({ r, start: parseIp(r.start), end: parseIp(r.end) }));
    for (let i = 0; i < ranges.length; i++) {
      const a = ranges[i]!;
      for (let j = i + 1; j < ranges.length; j++) {
        const b = ranges[j]!;
        if (!a.start || !a.end || !b.start || !b.end) continue;
        if (compareIp(a.start, b.end) <= 0 && compareIp(b.start, a.end) <= 0) {
          throw configUnsupported(`DHCP ranges ${a.r.start} to ${a.r.end} and ${b.r.start} to ${b.r.end} in network '${def.name}' overlap`);
        }
      }
    }
  }
}

/** Whether the network runs a DNS server: it is one libvirt builds itself, and its DNS is not disabled. */
export function servesDns(def: Pick<NetworkDef, 'forward' | 'dns'>): boolean {
  return VIRTUAL_FORWARD_MODES.includes(def.forward.mode) && def.dns.enable !== false;
}

/**
 * DNS records in a network with no DNS server, with the text net-define
 * gives for such a document (validate.ts for the forward modes, the
 * parser's "Extra data in disabled network" for `<dns enable='no'>`).
 */
export function checkDnsRecordsServed(def: NetworkDef): void {
  const records = def.dns.hosts.length + def.dns.txts.length + def.dns.srvs.length;
  if (records === 0) return;
  if (!VIRTUAL_FORWARD_MODES.includes(def.forward.mode)) {
    throw configUnsupported(`Unsupported <dns> element in network ${def.name} with forward mode='${def.forward.mode}'`);
  }
  if (def.dns.enable === false) throw xmlError(`Extra data in disabled network '${def.name}'`);
}
