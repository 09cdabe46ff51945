/**
 * net-dhcp-leases NETWORK [--mac MAC]: virsh's lease table, sorted by MAC
 * ignoring case, expiry in local time (YYYY-MM-DD HH:MM:SS), the address
 * with the prefix of the network's <ip>, and `-` for what is unknown.
 * An inactive network simply has no leases.
 */
import type { DhcpLease } from '../../contract/network-api.js';
import type { CommandDef } from '../command.js';
import { lookupNetwork } from '../lookup.js';
import { printTable } from '../table.js';
import { attempt } from './net-lifecycle.js';
import { networkOpt, optString } from '../options.js';
import { compareNames } from './net-list.js';

const two = (n: number): string => String(n).padStart(2, '0');

/** g_date_time_format(local time of `seconds`, "%Y-%m-%d %H:%M:%S"). */
export function localTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const LEASE_HEADER = ['Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID'] as const;

function leaseRow(l: DhcpLease): string[] {
  return [localTime(l.expiryTime), l.mac || '-', l.protocol || '-', `${l.ipAddress}/${l.prefix}`, l.hostname || '-', l.clientId || '-'];
}

export const netDhcpLeases: CommandDef = {
  name: 'net-dhcp-leases',
  help: 'print lease info for a given network',
  desc: 'Print lease info for a given network',
  opts: [networkOpt({ active: true }), { name: 'mac', kind: 'string', help: 'MAC address' }],
  async run(sh, cmd) {
    const mac = optString(sh, cmd, 'mac');
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    return attempt(
      sh,
      sh.t('Failed to get leases info for {network}', { network: net.arg }),
      () => sh.client().leases(net.info.name, mac),
      (leases) => printTable(sh, LEASE_HEADER, [...leases].sort((a, b) => compareNames(a.mac, b.mac)).map(leaseRow)),
    );
  },
};
