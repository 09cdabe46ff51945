/**
 * Checks for addresses typed into the DHCP and DNS forms, against the <ip>
 * they belong to: the right family, inside its subnet, not its network or
 * broadcast address; MACs in the usual colon form.
 */
import { broadcastOf, compareIp, inSubnet, networkOf, parseIp } from '../../../src/util/ip.js';
import type { IpEntry } from './network.js';

export type AddressProblem = 'syntax' | 'family' | 'outside' | 'reserved' | undefined;

export function addressProblem(text: string, ip: IpEntry): AddressProblem {
  const a = parseIp(text.trim());
  if (!a) return 'syntax';
  if (a.family !== ip.family) return 'family';
  const own = ip.address === undefined ? undefined : parseIp(ip.address);
  if (!own || ip.prefix === undefined) return undefined;
  const net = networkOf(own, ip.prefix);
  if (!inSubnet(a, net, ip.prefix)) return 'outside';
  if (a.value === net.value || (a.family === 'ipv4' && a.value === broadcastOf(own, ip.prefix).value)) return 'reserved';
  return undefined;
}

export function rangeOrdered(start: string, end: string): boolean {
  const a = parseIp(start.trim());
  const b = parseIp(end.trim());
  return !a || !b || compareIp(a, b) <= 0;
}

export const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
