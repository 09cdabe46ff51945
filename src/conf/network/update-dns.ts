/**
 * net-update of the dns-host, dns-txt and dns-srv sections
 * (libvirt 11.3's virNetworkDefUpdateDNSHost / ...DNSTxt / ...DNSSrv).
 * Add and delete use the complete or partial element parsers; note that
 * libvirt's DNS texts quote the network name in none of these messages.
 */
import { parseDnsHost, parseDnsSrv, parseDnsTxt } from './parse-dns.js';
import type { DnsHost, DnsSrv } from './types.js';
import { attr, type XmlElementNode } from '../../xml/reader.js';
import type { ElementContext } from '../common/parse-helpers.js';
import { VirError, operationInvalid } from '../../util/errors.js';
import { type SectionUpdate, checkElementName, insertForCommand, isAddCommand, sameAddress } from './update-common.js';

/** The update's element, which must be <NAME>, read by `parse`: whole for an add, partly given for delete or modify. */
function dnsSnippet<T>(u: SectionUpdate, name: string, parse: (el: XmlElementNode, ctx: ElementContext) => T): T {
  checkElementName(u.def, u.el, name);
  return parse(u.el, { networkName: u.def.name, partialOk: !isAddCommand(u.command) });
}

export function updateDnsHost(u: SectionUpdate): void {
  const { def, command } = u;
  const host = dnsSnippet(u, 'host', parseDnsHost);
  const hosts = def.dns.hosts;

  // A record matches on its IP; for delete, also on any shared hostname
  // (several records may legitimately share a hostname, so add ignores names).
  const matches = (h: DnsHost): boolean =>
    sameAddress(host.ip, h.ip) || (command === 'delete' && host.hostnames.some((n) => h.hostnames.includes(n)));
  const i = soleMatch(u, hosts, host, matches, {
    exists: 'there is already at least one DNS HOST record with a matching field',
    missing: "couldn't locate a matching DNS HOST record",
    multiple: 'multiple matching DNS HOST records were found',
  });
  if (i === undefined) return;
  // modify matches on the IP alone, so its one match is the record to replace.
  if (command === 'delete') hosts.splice(i, 1);
  else hosts[i] = host;
}

export function updateDnsTxt(u: SectionUpdate): void {
  const { def, command } = u;
  const add = isAddCommand(command);
  const txt = dnsSnippet(u, 'txt', parseDnsTxt);
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
  const srv = dnsSnippet(u, 'srv', parseDnsSrv);
  const srvs = def.dns.srvs;

  // Every field given among domain/service/protocol/target must match.
  const matches = (s: DnsSrv): boolean =>
    (srv.domain === undefined || srv.domain === s.domain) &&
    (srv.service === undefined || srv.service === s.service) &&
    (srv.protocol === undefined || srv.protocol === s.protocol) &&
    (srv.target === undefined || srv.target === s.target);
  const i = soleMatch(u, srvs, srv, matches, {
    exists: 'there is already at least one DNS SRV record matching all specified fields',
    missing: "couldn't locate a matching DNS SRV record",
    multiple: 'multiple DNS SRV records matching all specified fields were found',
  });
  if (i !== undefined) srvs.splice(i, 1);
}

/** What libvirt says when an update finds a matching record where it wants none, none, or several. */
interface MatchTexts {
  exists: string;
  missing: string;
  multiple: string;
}

/**
 * libvirt's count of matching records (DNS HOST and SRV): add wants none
 * and inserts `record`; delete and modify want exactly one, whose index
 * comes back.
 */
function soleMatch<T>(u: SectionUpdate, records: T[], record: T, matches: (r: T) => boolean, texts: MatchTexts): number | undefined {
  const found = records.flatMap((r, i) => (matches(r) ? [i] : []));
  const where = `in network ${u.def.name}`;
  if (isAddCommand(u.command)) {
    if (found.length > 0) throw operationInvalid(`${texts.exists} ${where}`);
    insertForCommand(records, record, u.command);
    return undefined;
  }
  if (found.length === 0) throw operationInvalid(`${texts.missing} ${where}`);
  if (found.length > 1) throw operationInvalid(`${texts.multiple} ${where}`);
  return found[0];
}
