/**
 * <ip> as libvirt's virNetworkIPDefFormat writes it: always an open/close
 * pair, then <tftp>, then <dhcp> with ranges, static hosts and <bootp>.
 * <dhcp> is written only when it has a range or a host (an empty <dhcp/>,
 * or one holding only <bootp>, disappears, as in libvirt).
 */
import type { DhcpHost, DhcpRange, IpDef, LeaseDef } from './types.js';
import type { NetworkXmlOutput } from './format-output.js';
import { cUInt, cULongLong } from './format-numbers.js';

/** <lease expiry='0'/> for infinite, else expiry and unit (libvirt's default unit is minutes). */
function formatLease(out: NetworkXmlOutput, lease: LeaseDef): void {
  if (!lease.expiry) out.empty('lease', [['expiry', '0']]);
  else
    out.empty('lease', [
      ['expiry', cULongLong(lease.expiry)],
      ['unit', lease.unit ?? 'minutes'],
    ]);
}

function formatRange(out: NetworkXmlOutput, range: DhcpRange): void {
  const attrs = [
    ['start', range.start],
    ['end', range.end],
  ] as const;
  if (!range.lease) {
    out.empty('range', attrs);
    return;
  }
  out.start('range', attrs);
  formatLease(out, range.lease);
  out.end('range');
}

/** libvirt prints a host's mac, id and name without escaping. */
function formatHost(out: NetworkXmlOutput, host: DhcpHost): void {
  const attrs = [
    ['mac', host.mac],
    ['id', host.id],
    ['name', host.name],
    ['ip', host.ip],
  ] as const;
  if (!host.lease) {
    out.emptyTag('host', attrs);
    return;
  }
  out.startTag('host', attrs);
  formatLease(out, host.lease);
  out.end('host');
}

export function formatIp(out: NetworkXmlOutput, ip: IpDef): void {
  out.start('ip', [
    ['family', ip.family],
    ['address', ip.address],
    ['netmask', ip.netmask],
    ['prefix', ip.prefix !== undefined && ip.prefix > 0 ? cUInt(ip.prefix) : undefined],
    ['localPtr', ip.localPtr === undefined ? undefined : ip.localPtr ? 'yes' : 'no'],
  ]);
  if (ip.tftpRoot !== undefined) out.empty('tftp', [['root', ip.tftpRoot]]);
  if (ip.ranges.length > 0 || ip.hosts.length > 0) {
    out.start('dhcp');
    for (const range of ip.ranges) formatRange(out, range);
    for (const host of ip.hosts) formatHost(out, host);
    if (ip.bootp)
      out.empty('bootp', [
        ['file', ip.bootp.file],
        ['server', ip.bootp.server],
      ]);
    out.end('dhcp');
  }
  out.end('ip');
}
