/**
 * net-update of the dns-host, dns-txt and dns-srv sections
 * (libvirt 11.3's virNetworkDefUpdateDNSHost / ...DNSTxt / ...DNSSrv).
 * Add and delete use the complete or partial element parsers; note that
 * libvirt's DNS texts quote the network name in none of these messages.
 */
import { parseDnsHost, parseDnsSrv, parseDnsTxt } from './parse-dns.js';
import { attr } from '../../xml/reader.js';
import { VirError, operationInvalid } from '../../util/errors.js';
import { type SectionUpdate, checkElementName, insertForCommand, isAddCommand, sameAddress } from './update-common.js';

export function updateDnsHost(u: SectionUpdate): void {
  const { def, command } = u;
  const add = isAddCommand(command);
  checkElementName(def, u.el, 'host');
  const host = parseDnsHost(u.el, { networkName: def.name, partialOk: !add });
  const hosts = def.dns.hosts;

  // A record matches on its IP; for delete, also on any shared hostname
  // (several records may legitimately share a hostname, so add ignores names).
  let foundCount = 0;
  let foundIndex = -1;
  let foundByIp = -1;
  hosts.forEach((h, i) => {
    let found = sameAddress(host.ip, h.ip);
    if (found) foundByIp = i;
    if (command === 'delete' && !found) found = host.hostnames.some((n) => h.hostnames.includes(n));
    if (found) {
      foundCount++;
      foundIndex = i;
    }
  });

  if (add) {
    if (foundCount > 0) {
      throw operationInvalid(`there is already at least one DNS HOST record with a matching field in network ${def.name}`);
    }
    insertForCommand(hosts, host, command);
    return;
  }
  if (foundCount === 0) throw operationInvalid(`couldn't locate a matching DNS HOST record in network ${def.name}`);
  if (foundCount > 1) throw operationInvalid(`multiple matching DNS HOST records were found in network ${def.name}`);
  if (command === 'delete') hosts.splice(foundIndex, 1);
  else hosts[foundByIp] = host;
}

export function updateDnsTxt(u: SectionUpdate): void {
  const { def, command } = u;
  const add = isAddCommand(command);
  checkElementName(def, u.el, 'txt');
  const txt = parseDnsTxt(u.el, { networkName: def.name, partialOk: !add });
  const txts = def.dns.txts;
  const i = txts.findIndex((t) => t.name === txt.name);

  if (add) {
    if (i >= 0) throw operationInvalid(`there is already a DNS TXT record with name '${txt.name}' in network ${def.name}`);
    insertForCommand(txts, txt, command);
    return;
  }
  const existing = txts[i];
  if (existing === undefined) throw operationInvalid(`couldn't locate a matching DNS TXT record in network ${def.name}`);
  if (command === 'delete') {
    txts.splice(i, 1);
    return;
  }
  // modify replaces only the value, which must be given (an empty value is a value).
  if (attr(u.el, 'value') === undefined) {
    throw operationInvalid(`missing value of modifying DNS TXT record in network ${def.name}`);
  }
  existing.value = txt.value;
}

export function updateDnsSrv(u: SectionUpdate): void {
  const { def, command } = u;
  // 11.3 rejects modify before even looking at the snippet.
  if (command === 'modify') {
    throw new VirError('OPERATION_UNSUPPORTED', 'DNS SRV records cannot be modified, only added or deleted');
  }
  const add = isAddCommand(command);
  checkElementName(def, u.el, 'srv');
  const srv = parseDnsSrv(u.el, { networkName: def.name, partialOk: !add });
  const srvs = def.dns.srvs;

  // Every field given among domain/service/protocol/target must match.
  let foundCount = 0;
  let foundIndex = -1;
  srvs.forEach((s, i) => {
    if (
      (srv.domain === undefined || srv.domain === s.domain) &&
      (srv.service === undefined || srv.service === s.service) &&
      (srv.protocol === undefined || srv.protocol === s.protocol) &&
      (srv.target === undefined || srv.target === s.target)
    ) {
      foundCount++;
      foundIndex = i;
    }
  });

  if (add) {
    if (foundCount > 0) {
      throw operationInvalid(`there is already at least one DNS SRV record matching all specified fields in network ${def.name}`);
    }
    insertForCommand(srvs, srv, command);
    return;
  }
  if (foundCount === 0) throw operationInvalid(`couldn't locate a matching DNS SRV record in network ${def.name}`);
  if (foundCount > 1) {
    throw operationInvalid(`multiple DNS SRV records matching all specified fields were found in network ${def.name}`);
  }
  srvs.splice(foundIndex, 1);
}
