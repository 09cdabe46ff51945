/**
 * The host's upstream DNS servers, for dnsmasq's `servers-file=`. libvirt's
 * dnsmasq reads /etc/resolv.conf itself and watches it with inotify, one
 * inotify instance per network; virtnet's dnsmasq gets `no-resolv` plus a
 * servers file that the runtime writes from resolv.conf and re-reads on
 * SIGHUP (docs/network-runtime.md). Pure: text in, text out.
 *
 * dnsmasq uses every `nameserver` line of resolv.conf, in order; so do we.
 * Addresses with a zone (`fe80::1%eth0`) are left out: a servers file line
 * cannot carry the zone the way resolv.conf does.
 */
import { formatIp, parseIp } from '../util/ip.js';

/** The nameserver addresses of a resolv.conf text, canonical, in order, without duplicates. */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)$/.exec(line);
    if (!m) continue;
    const addr = parseIp(m[1] as string);
    if (!addr) continue;
    const text = formatIp(addr);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/** The servers file text: one `server=ADDR` line per upstream server. */
export function serversFileText(servers: readonly string[]): string {
  return servers.map((s) => `server=${s}\n`).join('');
}
