/**
 * DHCP leases from dnsmasq's own lease file (`dhcp-leasefile=`), as the
 * typed records of virNetworkGetDHCPLeases. libvirt gets the same data from
 * its leaseshelper, which dnsmasq calls on every change; reading dnsmasq's
 * file needs no helper process per network.
 *
 * The file, as dnsmasq 2.x writes it:
 * - IPv4: `EXPIRY MAC IP HOSTNAME CLIENTID`, with `*` for no hostname or
 *   no client id;
 * - then, if DHCPv6 is on, a `duid SERVER-DUID` line followed by
 *   `EXPIRY IAID IP HOSTNAME CLIENT-DUID` lines (IAID prefixed `T` for a
 *   temporary address).
 * EXPIRY is seconds since the epoch, 0 for an infinite lease. IPv6 lines
 * carry no MAC; when the client's DUID is link-layer based (DUID-LLT or
 * DUID-LL over Ethernet) the MAC is taken from it, as the DUID holds it.
 *
 * Expired leases (expiry > 0 and in the past) are left out, as libvirt
 * does. The prefix of each lease is the one of the network's first `<ip>`
 * of its family.
 */
import { readFile } from 'node:fs/promises';
import type { NetworkDef } from '../../conf/network/types.js';
import { addressFamily } from '../../plan/dnsmasq-ip.js';
import { VirError } from '../../util/errors.js';
import { canonicalIp, effectivePrefix } from '../../util/ip.js';
import type { DhcpLease } from '../../contract/network-api.js';

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** The Ethernet MAC inside a DUID-LLT (type 1) or DUID-LL (type 3) with hardware type 1, if any. */
export function macFromDuid(duid: string): string | undefined {
  const bytes = duid.toLowerCase().split(':');
  if (bytes.some((b) => !/^[0-9a-f]{2}$/.test(b))) return undefined;
  const type = bytes.slice(0, 2).join('');
  const hw = bytes.slice(2, 4).join('');
  if (hw !== '0001') return undefined;
  if (type === '0001' && bytes.length === 14) return bytes.slice(8).join(':');
  if (type === '0003' && bytes.length === 10) return bytes.slice(4).join(':');
  return undefined;
}

interface LeaseParseOptions {
  /** The bridge, reported as each lease's interface. */
  iface: string;
  /** Prefix of the network's IPv4 / IPv6 `<ip>`. */
  prefix4: number;
  prefix6: number;
  /** Seconds since the epoch; leases that expired before are left out. */
  now: number;
}

/** Parse a dnsmasq lease file. Malformed lines are skipped. */
export function parseLeaseFile(text: string, opts: LeaseParseOptions): DhcpLease[] {
  const out: DhcpLease[] = [];
  let ipv6Section = false;
  for (const raw of text.split('\n')) {
    const f = raw.trim().split(/\s+/);
    if (f.length === 0 || f[0] === '') continue;
    if (f[0] === 'duid') {
      ipv6Section = true;
      continue;
    }
    if (f.length < 4) continue;
    const expiry = Number(f[0]);
    if (!Number.isInteger(expiry) || expiry < 0) continue;
    if (expiry > 0 && expiry < opts.now) continue;
    const ip = canonicalIp(f[2] as string);
    if (ip === undefined) continue;
    const v6 = ip.includes(':');
    const hostname = f[3] !== '*' ? f[3] : undefined;
    const client = f[4] !== undefined && f[4] !== '*' ? f[4] : undefined;
    let lease: DhcpLease;
    if (v6 || ipv6Section) {
      const iaid = (f[1] as string).replace(/^T/, '');
      lease = {
        iface: opts.iface,
        expiryTime: expiry,
        protocol: 'ipv6',
        mac: (client && macFromDuid(client)) ?? '',
        ipAddress: ip,
        prefix: opts.prefix6,
        iaid,
      };
    } else {
      const mac = f[1] as string;
      if (!MAC.test(mac)) continue;
      lease = { iface: opts.iface, expiryTime: expiry, protocol: 'ipv4', mac: mac.toLowerCase(), ipAddress: ip, prefix: opts.prefix4 };
    }
    if (hostname !== undefined) lease.hostname = hostname;
    if (client !== undefined) lease.clientId = client;
    out.push(lease);
  }
  return out;
}

/** The prefix of a network's first `<ip>` of a family (0 when it has none). */
function familyPrefix(def: NetworkDef, family: 'ipv4' | 'ipv6'): number {
  const ip = def.ips.find((i) => addressFamily(i) === family);
  return ip ? Math.max(0, effectivePrefix(ip)) : 0;
}

/** Read and parse a lease file; a missing file means no leases. */
export async function readLeases(path: string, def: NetworkDef, iface: string, now = Math.floor(Date.now() / 1000)): Promise<DhcpLease[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new VirError('SYSTEM_ERROR', `Unable to read lease file '${path}': ${(e as Error).message}`);
  }
  return parseLeaseFile(text, { iface, prefix4: familyPrefix(def, 'ipv4'), prefix6: familyPrefix(def, 'ipv6'), now });
}
