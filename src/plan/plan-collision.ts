/**
 * The subnet-collision check done before a virtual network starts (libvirt's
 * networkCheckRouteCollision), made stricter: libvirt refuses an IPv4 `<ip>`
 * only when some host route has exactly the same network and mask, so a
 * 192.168.0.0/16 network starts happily over a host's 192.168.1.0/24 LAN and
 * the two then steal each other's traffic. Here *any overlap* is refused:
 * with the subnet of another active network (named by its bridge), and with
 * any host route of the main table that has an output device, except default
 * routes (prefix 0, which overlap everything). Static `<route>`s are checked
 * the same way. Pure: the caller passes the other networks and the host's
 * IPv4 routes. IPv6 is not checked, as in libvirt.
 *
 * Texts are libvirt's: "Network is already in use by interface IFACE" and
 * "Route address 'A' conflicts with IP address for 'IFACE'" (A is the
 * route's address masked by its prefix), both INTERNAL_ERROR.
 */
import type { IpDef, NetworkDef, RouteDef } from '../conf/network/types.js';
import type { RouteRecord } from '../host/facts-parse.js';
import { VirError } from '../util/errors.js';
import { effectivePrefix, formatIp, networkOf, parseIp, subnetsOverlap, type IpAddress } from '../util/ip.js';

/** An IPv4 subnet and the interface it belongs to. */
interface Ipv4Subnet {
  network: IpAddress;
  prefix: number;
  iface: string;
}

/** The IPv4 subnet of an `<ip>` (network address and effective prefix), or undefined for IPv6 or unusable ones. */
export function ipv4SubnetOf(ip: IpDef): { network: IpAddress; prefix: number } | undefined {
  const addr = ip.address === undefined ? undefined : parseIp(ip.address);
  if (addr?.family !== 'ipv4') return undefined;
  const prefix = effectivePrefix(ip);
  if (prefix < 0 || prefix > 32) return undefined;
  return { network: networkOf(addr, prefix), prefix };
}

/** The IPv4 destination of a static route, masked by its prefix; undefined for IPv6. */
function ipv4RouteSubnet(route: RouteDef): { network: IpAddress; prefix: number } | undefined {
  const addr = parseIp(route.address);
  if (addr?.family !== 'ipv4') return undefined;
  const prefix = effectivePrefix(route);
  if (prefix < 0 || prefix > 32) return undefined;
  return { network: networkOf(addr, prefix), prefix };
}

/** What a new network must not overlap: the IPv4 subnets of other active networks, then the host's routes. */
export function occupiedSubnets(others: readonly NetworkDef[], hostRoutes: readonly RouteRecord[]): Ipv4Subnet[] {
  const out: Ipv4Subnet[] = [];
  for (const other of others) {
    const bridge = other.bridge.name;
    if (bridge === undefined) continue;
    for (const ip of other.ips) {
      const s = ipv4SubnetOf(ip);
      if (s) out.push({ ...s, iface: bridge });
    }
  }
  for (const r of hostRoutes) {
    if (r.family !== 'ipv4' || r.prefix <= 0 || r.dev === undefined) continue;
    if (r.type !== 'unicast' || (r.table !== undefined && r.table !== 'main')) continue;
    const addr = parseIp(r.dst);
    if (addr?.family !== 'ipv4') continue;
    out.push({ network: networkOf(addr, r.prefix), prefix: r.prefix, iface: r.dev });
  }
  return out;
}

/**
 * The error for the first collision of `def` with what is already in use,
 * or undefined when it may start. `<ip>`s are checked first, then static routes.
 */
/** libvirt's collision error (class INTERNAL_ERROR); to an HTTP client a conflict with what already runs (409). */
function collisionError(detail: string): VirError {
  const err = new VirError('INTERNAL_ERROR', detail);
  err.status = 409;
  return err;
}

export function findSubnetCollision(def: NetworkDef, others: readonly NetworkDef[], hostRoutes: readonly RouteRecord[]): VirError | undefined {
  const occupied = occupiedSubnets(others, hostRoutes);
  const clash = (s: { network: IpAddress; prefix: number }): Ipv4Subnet | undefined =>
    occupied.find((o) => subnetsOverlap(s.network, s.prefix, o.network, o.prefix));
  for (const ip of def.ips) {
    const s = ipv4SubnetOf(ip);
    if (!s) continue;
    const hit = clash(s);
    if (hit) return collisionError(`Network is already in use by interface ${hit.iface}`);
  }
  for (const route of def.routes) {
    const s = ipv4RouteSubnet(route);
    if (!s) continue;
    const hit = clash(s);
    if (hit) return collisionError(`Route address '${formatIp(s.network)}' conflicts with IP address for '${hit.iface}'`);
  }
  return undefined;
}
