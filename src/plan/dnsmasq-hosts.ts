/**
 * The two files dnsmasq re-reads on SIGHUP, in libvirt's line formats
 * (virdnsmasq.c): the static DHCP hosts file (--dhcp-hostsfile) and the DNS
 * hosts file (--addn-hosts). Also the lease suffix shared with dhcp-range.
 */
import { isOneDnsmasqLine } from '../conf/network/dnsmasq-syntax.js';
import { formatMac, parseMac } from '../conf/common/mac-uuid.js';
import type { DhcpHost, DnsHost, LeaseDef } from '../conf/network/types.js';
import { internalError } from '../util/errors.js';
import { parseIp } from '../util/ip.js';
import { formatAddress } from './dnsmasq-ip.js';

/** A lease time as dnsmasq reads it: `infinite` for expiry 0, else N plus the unit's first letter (minutes by default). */
export function leaseTimeText(lease: LeaseDef | undefined): string | undefined {
  if (!lease) return undefined;
  if (lease.expiry === 0) return 'infinite';
  return `${lease.expiry}${(lease.unit ?? 'minutes').charAt(0)}`;
}

const PLAIN_MAC = /^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}$/;

/**
 * A host's MAC as written in its XML (libvirt's line), unless the parser let
 * text follow it (libvirt accepts "52:54:00:00:00:01 and more"): then only
 * the address, which is all dnsmasq must see.
 */
function hostsfileMac(text: string): string {
  if (PLAIN_MAC.test(text)) return text;
  const bytes = parseMac(text);
  if (!bytes) throw internalError(`invalid MAC address '${text}' in a static DHCP host`);
  return formatMac(bytes);
}

/**
 * One dhcp-hostsfile line (without its newline), or undefined for a host
 * without a valid address (libvirt skips those). The form depends on the family
 * of the <ip> the host belongs to, not on the host's own address:
 * IPv4 `MAC,IP,NAME` | `NAME,IP` | `MAC,IP`; IPv6 `id:DUID,NAME,[IP]` |
 * `NAME,[IP]` | `id:DUID,[IP]`; then `,LEASE` when the host has a lease.
 */
function dhcpHostLine(host: DhcpHost, ipv6: boolean): string | undefined {
  if (host.ip === undefined || parseIp(host.ip) === undefined) return undefined;
  const ip = formatAddress(host.ip);
  let line: string;
  if (ipv6) {
    const who = host.id !== undefined ? (host.name !== undefined ? `id:${host.id},${host.name}` : `id:${host.id}`) : (host.name ?? '');
    line = `${who},[${ip}]`;
  } else if (host.name !== undefined && host.mac !== undefined) {
    line = `${hostsfileMac(host.mac)},${ip},${host.name}`;
  } else if (host.name !== undefined) {
    line = `${host.name},${ip}`;
  } else {
    line = `${host.mac !== undefined ? hostsfileMac(host.mac) : ''},${ip}`;
  }
  const lease = leaseTimeText(host.lease);
  return lease === undefined ? line : `${line},${lease}`;
}

/** The hostsfile text: one line per host, each ending in a newline ('' when none). */
export function hostsfileText(hosts: readonly { host: DhcpHost; ipv6: boolean }[]): string {
  let out = '';
  for (const { host, ipv6 } of hosts) {
    const line = dhcpHostLine(host, ipv6);
    if (line === undefined) continue;
    // dnsmasq reads this file as it reads its conf; the parser keeps every line one line.
    if (!isOneDnsmasqLine(line) || line.includes('"'))
      throw internalError(`dnsmasq would not read this as one static DHCP host: ${JSON.stringify(line.slice(0, 80))}`);
    out += `${line}\n`;
  }
  return out;
}

/**
 * The addn-hosts text: one line per distinct address, in order of first
 * appearance, holding every hostname given for it across all <host>
 * elements (hosts without a valid address or without names add nothing). Each field is followed by a tab, so a line reads
 * `IP\tname\tname\t\n` (libvirt writes it that way; dnsmasq ignores the tab).
 */
export function addnhostsText(hosts: readonly DnsHost[]): string {
  const byIp = new Map<string, string[]>();
  for (const host of hosts) {
    if (parseIp(host.ip) === undefined || host.hostnames.length === 0) continue;
    const ip = formatAddress(host.ip);
    let names = byIp.get(ip);
    if (!names) {
      names = [];
      byIp.set(ip, names);
    }
    names.push(...host.hostnames);
  }
  let out = '';
  for (const [ip, names] of byIp) {
    // dnsmasq splits this file at white space and drops what follows a '#'; the parser refuses names holding either.
    const bad = names.find((n) => n === '' || /[\s#]/.test(n));
    if (bad !== undefined) throw internalError(`dnsmasq would not read '${bad}' as one name of its hosts file`);
    out += `${ip}\t${names.map((n) => `${n}\t`).join('')}\n`;
  }
  return out;
}
