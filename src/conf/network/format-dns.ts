/**
 * <dns> as libvirt's virNetworkDNSDefFormat writes it: forwarders, then TXT,
 * SRV and host records. Written only when one of its attributes is set or
 * it holds a record; `<dns .../>` when only attributes are set.
 */
import type { DnsDef } from './types.js';
import type { NetworkXmlOutput } from './format-output.js';
import { cInt } from './format-numbers.js';

const yesNo = (v: boolean | undefined): string | undefined => (v === undefined ? undefined : v ? 'yes' : 'no');

/** A nonzero SRV number as libvirt prints it (`%d`); 0 means "not given". */
const srvNumber = (v: number | undefined): string | undefined => (v ? cInt(v) : undefined);

export function formatDns(out: NetworkXmlOutput, dns: DnsDef): void {
  const attrs = [
    ['enable', yesNo(dns.enable)],
    ['forwardPlainNames', yesNo(dns.forwardPlainNames)],
  ] as const;
  const hasRecords = dns.forwarders.length > 0 || dns.txts.length > 0 || dns.srvs.length > 0 || dns.hosts.length > 0;
  if (!hasRecords) {
    if (dns.enable !== undefined || dns.forwardPlainNames !== undefined) out.empty('dns', attrs);
    return;
  }
  out.start('dns', attrs);
  for (const fwd of dns.forwarders)
    out.empty('forwarder', [
      ['domain', fwd.domain],
      ['addr', fwd.addr],
    ]);
  for (const txt of dns.txts)
    out.empty('txt', [
      ['name', txt.name],
      ['value', txt.value],
    ]);
  for (const srv of dns.srvs) {
    // libvirt skips an SRV record that lacks service or protocol.
    if (srv.service === undefined || srv.protocol === undefined) continue;
    out.empty('srv', [
      ['service', srv.service],
      ['protocol', srv.protocol],
      ['domain', srv.domain],
      ['target', srv.target],
      ['port', srvNumber(srv.port)],
      ['priority', srvNumber(srv.priority)],
      ['weight', srvNumber(srv.weight)],
    ]);
  }
  for (const host of dns.hosts) {
    out.start('host', [['ip', host.ip]]);
    for (const name of host.hostnames) out.textElement('hostname', name);
    out.end('host');
  }
  out.end('dns');
}
