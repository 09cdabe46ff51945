/**
 * The DNS lines of the dnsmasq conf that come from <dns>: upstream
 * forwarders (server=, no-resolv) and the records (txt-record=, srv-host=),
 * as libvirt's networkDnsmasqConfContents writes them.
 */
import { dnsmasqField, txtRecordLine } from '../conf/network/dnsmasq-syntax.js';
import type { DnsForwarder, DnsSrv, DnsTxt } from '../conf/network/types.js';
import { internalError } from '../util/errors.js';
import { parseIp } from '../util/ip.js';
import { formatAddress } from './dnsmasq-ip.js';

/**
 * `server=[/DOMAIN/]ADDR` per forwarder, or `server=/DOMAIN/#` ("do not
 * forward this domain") when it has no address; then `no-resolv` when some
 * forwarder has an address but no domain, because then it receives every
 * unclaimed query and the host's resolv.conf is not needed.
 */
export function forwarderLines(forwarders: readonly DnsForwarder[]): string[] {
  const lines: string[] = [];
  let noResolv = false;
  for (const fwd of forwarders) {
    let line = 'server=';
    if (fwd.domain !== undefined) line += `/${dnsmasqField(fwd.domain, { separators: '' })}/`;
    if (fwd.addr !== undefined && parseIp(fwd.addr) !== undefined) {
      line += formatAddress(fwd.addr);
      if (fwd.domain === undefined) noResolv = true;
    } else {
      line += '#';
    }
    lines.push(line);
  }
  if (noResolv) lines.push('no-resolv');
  return lines;
}

export function txtLines(txts: readonly DnsTxt[]): string[] {
  return txts.map((t) => txtRecordLine(t.name, t.value));
}

/**
 * `srv-host=_SERVICE._PROTO[.DOMAIN][,TARGET[,PORT[,PRIORITY[,WEIGHT]]]]`.
 * The fields are positional, so an unset one is written with its default
 * (port 1, priority 0) when a later one is set. A missing target or the
 * target "." means "no such service here" and ends the line after the name.
 * Zero counts as unset, as in libvirt.
 */
export function srvLine(srv: DnsSrv, networkName: string): string {
  if (srv.service === undefined || srv.protocol === undefined) {
    // libvirt names 'service' in both cases.
    throw internalError(`Missing required 'service' attribute in SRV record of network '${networkName}'`);
  }
  const name = `_${srv.service}._${srv.protocol}${srv.domain !== undefined ? `.${srv.domain}` : ''}`;
  let line = `srv-host=${dnsmasqField(name, { separators: ',', beforeSplit: true })}`;
  if (srv.target !== undefined && srv.target !== '.') {
    line += `,${dnsmasqField(srv.target, { separators: ',', afterSplit: true, beforeSplit: true })}`;
    const port = srv.port ?? 0;
    const priority = srv.priority ?? 0;
    const weight = srv.weight ?? 0;
    if (port || priority || weight) line += `,${port || 1}`;
    if (priority || weight) line += `,${priority}`;
    if (weight) line += `,${weight}`;
  }
  return line;
}
