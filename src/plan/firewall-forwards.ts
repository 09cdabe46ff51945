/**
 * A network's port forwards as elements of the table's forward maps and set
 * (./firewall-layout.ts): whatever the number of forwards, the rules stay
 * the same; a forward adds elements only.
 *
 * - a forward that keeps the port: one element per protocol in
 *   `dnat4_keep`, keyed by its whole range (the kernel keeps a port that
 *   lies in the range DNAT is given, and the address alone is given);
 * - a forward that changes the port: per protocol and port, one element in
 *   `dnat4_addr` and one in `dnat4_port` with the same key;
 * - per protocol, the guest's ports in `dnat4_open`, merged per guest
 *   address and protocol (an interval set refuses overlapping elements).
 * A forward whose target is a name with no address now has no elements.
 */
import { protocolsOf, targetAddress, targetPorts } from '../conf/network/port-forward.js';
import type { PortForwardDef, PortRange } from '../conf/network/port-forward-types.js';
import { ipFamily, type NetworkDef } from '../conf/network/types.js';
import { needsDnsmasq, servesDhcp } from './dnsmasq.js';
import { concat, prefix, range, type NftElem, type NftValue } from './nft-json.js';

export interface ForwardElements {
  /** [key, guest address] of forwards that change the port. */
  addr: [NftValue, NftValue][];
  /** [key, guest port] of forwards that change the port. */
  port: [NftValue, NftValue][];
  /** [key, guest address] of forwards that keep the port. */
  keep: [NftValue, NftValue][];
  /** Guest address . protocol . ports. */
  open: NftValue[];
}

const ports = (r: PortRange): NftValue => (r.start === r.end ? r.start : range(r.start, r.end));

/** Merge overlapping or adjacent ranges. */
function mergeRanges(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The elements of a network's forwards, in a stable order (the forwards', then the ports'). */
export function forwardElements(forwards: readonly PortForwardDef[]): ForwardElements {
  const out: ForwardElements = { addr: [], port: [], keep: [], open: [] };
  const open = new Map<string, { address: string; proto: string; ranges: PortRange[] }>();
  for (const f of forwards) {
    const to = targetAddress(f);
    if (to === undefined) continue;
    const listen: NftValue = f.address ?? prefix('0.0.0.0', 0);
    const guest = targetPorts(f);
    for (const proto of protocolsOf(f.proto)) {
      if (f.toPort === undefined) out.keep.push([concat(listen, proto, ports(f.port)), to]);
      else {
        for (let p = f.port.start; p <= f.port.end; p++) {
          const key = concat(listen, proto, p);
          out.addr.push([key, to]);
          out.port.push([key, guest.start + (p - f.port.start)]);
        }
      }
      const k = `${to}|${proto}`;
      const entry = open.get(k) ?? { address: to, proto, ranges: [] };
      entry.ranges.push(guest);
      open.set(k, entry);
    }
  }
  for (const { address, proto, ranges } of open.values()) {
    for (const r of mergeRanges(ranges)) out.open.push(concat(address, proto, ports(r)));
  }
  return out;
}

/** The map elements of `[key, value]` pairs, or their keys alone (for deletion). */
export const pairs = (list: [NftValue, NftValue][], withValues: boolean): NftElem[] => list.map(([k, v]) => (withValues ? [k, v] : k));

/**
 * What the network's dnsmasq serves on each of its IPv4 addresses, as
 * `dnat4_skip` elements (address . protocol . port): DNS on 53 (UDP and
 * TCP) unless disabled, DHCP on 67 where the `<ip>` serves it, TFTP on 69
 * where it has a root. A forward on every address must not catch them.
 */
export function ownServiceElements(def: NetworkDef): NftValue[] {
  if (!needsDnsmasq(def)) return [];
  const out: NftValue[] = [];
  for (const ip of def.ips) {
    if (ip.address === undefined || ipFamily(ip) !== 'ipv4') continue;
    if (def.dns.enable !== false) out.push(concat(ip.address, 'udp', 53), concat(ip.address, 'tcp', 53));
    if (servesDhcp(ip)) out.push(concat(ip.address, 'udp', 67));
    if (ip.tftpRoot !== undefined) out.push(concat(ip.address, 'udp', 69));
  }
  return out;
}
