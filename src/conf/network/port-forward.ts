/**
 * The rules of port forwards (port-forward-types.ts) that every surface
 * shares: port ranges as text, which forwards collide, how a forward is
 * named in messages and tables, and the checks of a forward against its
 * network. Free of the XML reader, so the CLI and the console use it too.
 */
import { effectivePrefix, formatIp, inSubnet, networkOf, parseIp } from '../../util/ip.js';
import type { IpDef } from './types.js';
import { dhcpHostAddressProblem } from './validate-served.js';
import type { ForwardProto, PortForwardDef, PortRange } from './port-forward-types.js';

/** "2222" or "8000-8010" as a range; undefined when it is not one (ports 1-65535, start <= end). */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || start > end) return undefined;
  return { start, end };
}

export function formatPortRange(r: PortRange): string {
  return r.start === r.end ? String(r.start) : `${r.start}-${r.end}`;
}

export const rangeLength = (r: PortRange): number => r.end - r.start + 1;

/** The transport protocols a forward covers. */
export function protocolsOf(proto: ForwardProto): ('tcp' | 'udp')[] {
  return proto === 'both' ? ['tcp', 'udp'] : [proto];
}

/** The guest's ports of a forward (its own when `toport` is absent). */
export const targetPorts = (f: Pick<PortForwardDef, 'port' | 'toPort'>): PortRange => f.toPort ?? f.port;

/** An IPv4 address in canonical text, or undefined when `text` is not one (then `to` is a name). */
export function ipv4Literal(text: string): string | undefined {
  const a = parseIp(text);
  return a?.family === 'ipv4' ? formatIp(a) : undefined;
}

/** Whether `to` names a guest rather than giving an address. */
export const targetIsName = (f: Pick<PortForwardDef, 'to'>): boolean => ipv4Literal(f.to) === undefined;

/** The address a forward sends to now: its literal `to`, or what its name resolves to (live). */
export function targetAddress(f: Pick<PortForwardDef, 'to' | 'toAddress'>): string | undefined {
  return ipv4Literal(f.to) ?? f.toAddress;
}

/** How a forward is named in messages and lists: `tcp *:2222` or `udp 198.51.100.7:8000-8010`. */
export function forwardLabel(f: Pick<PortForwardDef, 'proto' | 'address' | 'port'>): string {
  return `${f.proto} ${f.address ?? '*'}:${formatPortRange(f.port)}`;
}

const overlaps = (a: PortRange, b: PortRange): boolean => a.start <= b.end && b.start <= a.end;

/**
 * Whether two forwards would catch the same packets: a protocol in common,
 * the same listen address or either on every address, and ports in common.
 */
export function forwardsCollide(
  a: Pick<PortForwardDef, 'proto' | 'address' | 'port'>,
  b: Pick<PortForwardDef, 'proto' | 'address' | 'port'>,
): boolean {
  const protos = protocolsOf(a.proto);
  if (!protocolsOf(b.proto).some((p) => protos.includes(p))) return false;
  if (a.address !== undefined && b.address !== undefined && a.address !== b.address) return false;
  return overlaps(a.port, b.port);
}

/** The listen side of a forward, as net-forward-remove names it. */
export interface ForwardSelector {
  port: PortRange;
  /** Undefined: any protocol the forward on that port has. */
  proto?: ForwardProto;
  /** Undefined: the forward on every address. */
  address?: string;
}

/** Whether a forward is the one a selector names: same ports and address; same protocol when one is given. */
export function selects(sel: ForwardSelector, f: PortForwardDef): boolean {
  return (
    f.port.start === sel.port.start && f.port.end === sel.port.end && f.address === sel.address && (sel.proto === undefined || sel.proto === f.proto)
  );
}

/**
 * Why the address `to` cannot be a guest of a network with these `<ip>`s,
 * or undefined when it can: it must lie in one of its IPv4 subnets and not
 * be the network's own, network or broadcast address.
 */
export function targetProblem(to: string, ips: readonly IpDef[]): string | undefined {
  const addr = parseIp(to);
  if (addr === undefined || addr.family !== 'ipv4') return undefined;
  for (const ip of ips) {
    const own = ip.address === undefined ? undefined : parseIp(ip.address);
    if (own === undefined || own.family !== 'ipv4') continue;
    const prefix = effectivePrefix(ip);
    if (prefix <= 0 || !inSubnet(addr, own, prefix)) continue;
    const problem = dhcpHostAddressProblem(ip, addr);
    if (problem === 'gateway') return "is the network's own address";
    if (problem !== undefined) return `is the ${problem} address of ${formatIp(networkOf(own, prefix))}/${prefix}`;
    return undefined;
  }
  return 'is not in an IPv4 subnet of the network';
}
