/**
 * Checks for addresses typed into the DHCP and DNS forms, against the <ip>
 * they belong to: the right family, inside its subnet, and not one of the
 * addresses the daemon refuses (src/conf/network/validate-served.ts, the
 * same rule): a reservation not on the network's own, network or
 * broadcast address, a range not starting or ending on the last two.
 */
import { dhcpHostAddressProblem } from '../../../src/conf/network/validate-served.js';
import { compareIp, inSubnet, networkOf, parseIp } from '../../../src/util/ip.js';
import type { IpEntry } from './network.js';

export type AddressProblem = 'syntax' | 'family' | 'outside' | 'gateway' | 'network' | 'broadcast' | undefined;

/** What is wrong with `text` as an address of `ip`: for a reservation (`host`) or a range's end. */
export function addressProblem(text: string, ip: IpEntry, use: 'host' | 'range'): AddressProblem {
  const a = parseIp(text.trim());
  if (!a) return 'syntax';
  if (a.family !== ip.family) return 'family';
  const own = ip.address === undefined ? undefined : parseIp(ip.address);
  if (!own || ip.prefix === undefined) return undefined;
  if (!inSubnet(a, networkOf(own, ip.prefix), ip.prefix)) return 'outside';
  const problem = dhcpHostAddressProblem(ip.def, a);
  return use === 'range' && problem === 'gateway' ? undefined : problem;
}

export function rangeOrdered(start: string, end: string): boolean {
  const a = parseIp(start.trim());
  const b = parseIp(end.trim());
  return !a || !b || compareIp(a, b) <= 0;
}

export const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
