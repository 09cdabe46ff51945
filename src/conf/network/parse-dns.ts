/**
 * <dns> and its records (libvirt's virNetworkDNSDefParseXML and the record
 * parsers, which net-update also uses for dns-host, dns-txt and dns-srv).
 *
 * With `partialOk` (net-update delete) a record may be incomplete. The model
 * has no "absent" for two required fields, so a partial record carries
 * `''` for a missing DNS host `ip` and for a missing TXT `value`.
 */
import type { XmlElementNode } from '../../xml/reader.js';
import type { DnsDef, DnsForwarder, DnsHost, DnsSrv, DnsTxt } from './types.js';
import { formatIp } from '../../util/ip.js';
import { DNSMASQ_LINE_MAX, fieldProblem, isDnsName, isDnsmasqDomain, isHostsFileName, lineBytes, txtRecordLine } from './dnsmasq-syntax.js';
import { parseSocketAddr } from './parse-addr.js';
import { refuseValue } from './refused-values.js';
import { strToUIntP } from '../common/parse-number.js';
import {
  configUnsupported,
  prop,
  propTristate,
  stringValue,
  subelements,
  xmlDetail,
  xmlError,
  xpathAttr,
  xpathChildren,
  type ElementContext,
} from '../common/parse-helpers.js';

/** <host ip=...><hostname>...</hostname></host> inside <dns> (virNetworkDNSHostDefParseXML). */
export function parseDnsHost(el: XmlElementNode, ctx: ElementContext): DnsHost {
  const name = ctx.networkName;
  const hostnameEls = subelements(el, 'hostname');
  const hostnames: string[] = [];
  for (const h of hostnameEls) {
    const text = stringValue(h);
    if (text === '') throw xmlDetail(`Missing hostname in network '${name}' DNS HOST record`);
    if (!isHostsFileName(text)) refuseValue('dns/host/hostname', xmlDetail(`Invalid hostname '${text}' in network '${name}' DNS HOST record`));
    hostnames.push(text);
  }
  if (hostnameEls.length === 0 && !ctx.partialOk) throw xmlDetail(`Missing hostname in network '${name}' DNS HOST record`);

  const ipText = prop(el, 'ip');
  let ip = '';
  if (ipText !== undefined) {
    const addr = parseSocketAddr(ipText);
    if (!addr) throw xmlDetail(`Invalid IP address in network '${name}' DNS HOST record`);
    ip = formatIp(addr);
  } else {
    if (!ctx.partialOk) throw xmlDetail(`Missing IP address in network '${name}' DNS HOST record`);
    if (hostnameEls.length === 0) throw xmlDetail(`Missing ip and hostname in network '${name}' DNS HOST record`);
  }
  return { ip, hostnames };
}

/** <txt name=... value=.../> (virNetworkDNSTxtDefParseXML). */
export function parseDnsTxt(el: XmlElementNode, ctx: ElementContext): DnsTxt {
  const network = ctx.networkName;
  const name = prop(el, 'name');
  if (name === undefined) throw xmlDetail(`missing required name attribute in DNS TXT record of network ${network}`);
  // libvirt refuses a space or comma; other characters dnsmasq would not keep were taken before.
  const prohibited = xmlDetail(`prohibited character in DNS TXT record name '${name}' of network ${network}`);
  if (/[ ,]/.test(name)) throw prohibited;
  if (!/^[\x21-\x7e]*$/.test(name)) refuseValue('dns/txt@name', prohibited);
  else if (!isDnsName(name)) refuseValue('dns/txt@name', xmlDetail(`invalid DNS TXT record name '${name}' of network ${network}`));
  const value = prop(el, 'value');
  if (value === undefined && !ctx.partialOk) {
    throw xmlDetail(`missing required value attribute in DNS TXT record named '${name}' of network ${network}`);
  }
  if (value !== undefined) {
    const problem = fieldProblem(value, { separators: '', afterSplit: true });
    if (problem !== undefined) {
      refuseValue(
        'dns/txt@value',
        configUnsupported(`value of DNS TXT record '${name}' in network ${network} holds ${problem}, which dnsmasq cannot read`),
      );
    } else {
      const bytes = lineBytes(txtRecordLine(name, value));
      if (bytes > DNSMASQ_LINE_MAX) {
        refuseValue(
          'dns/txt@value',
          configUnsupported(
            `DNS TXT record '${name}' in network ${network} is too long: dnsmasq reads at most ${DNSMASQ_LINE_MAX} bytes per line, it needs ${bytes}`,
          ),
        );
      }
    }
  }
  return { name, value: value ?? '' };
}

/** libvirt's DNS_RECORD_LENGTH_SRV: 512 minus the overhead RFC 2782 mentions. */
const DNS_RECORD_LENGTH_SRV = 512 - 30;
/** `_SERVICE` and `_PROTOCOL` are DNS labels: at most 63 bytes with the underscore. */
const SRV_LABEL_MAX = 62;
const SERVICE_CHARS = /^[a-zA-Z0-9_\-+/*]*$/;
const PROTOCOL_CHARS = /^[a-zA-Z0-9\-+/]*$/;

/** How C's printf shows a NULL string, as in libvirt's messages about a partial SRV record. */
const orNull = (s: string | undefined): string => s ?? '(null)';

type SrvNumber = { kind: 'absent' } | { kind: 'invalid' } | { kind: 'value'; value: number };

/** virXPathUInt("string(./@attr)"): absent (or empty), invalid, or a value. */
function srvNumber(el: XmlElementNode, attr: string): SrvNumber {
  const s = xpathAttr(el, attr);
  if (s === undefined) return { kind: 'absent' };
  const v = strToUIntP(s, 10);
  return v === undefined ? { kind: 'invalid' } : { kind: 'value', value: v };
}

/** An SRV service or protocol: only `chars`, and (a refusable value) no longer than a DNS label. */
function checkSrvLabel(field: 'service' | 'protocol', value: string, chars: RegExp, network: string): void {
  if (!chars.test(value)) {
    throw xmlDetail(`invalid character in ${field} attribute '${value}' in DNS SRV record of network '${network}'`);
  }
  if (Buffer.byteLength(value) > SRV_LABEL_MAX) {
    refuseValue(
      `dns/srv@${field}`,
      xmlDetail(`${field} attribute '${value}' in network '${network}' is too long for a DNS label, limit is ${SRV_LABEL_MAX} bytes`),
    );
  }
}

/** <srv service=... protocol=... .../> (virNetworkDNSSrvDefParseXML). */
export function parseDnsSrv(el: XmlElementNode, ctx: ElementContext): DnsSrv {
  const network = ctx.networkName;
  const srv: DnsSrv = {};
  const service = prop(el, 'service');
  if (service === undefined && !ctx.partialOk) {
    throw xmlDetail(`missing required service attribute in DNS SRV record of network '${network}'`);
  }
  if (service !== undefined) {
    if (Buffer.byteLength(service) > DNS_RECORD_LENGTH_SRV) {
      throw xmlDetail(`service attribute '${service}' in network '${network}' is too long, limit is ${DNS_RECORD_LENGTH_SRV} bytes`);
    }
    checkSrvLabel('service', service, SERVICE_CHARS, network);
    srv.service = service;
  }

  const protocol = prop(el, 'protocol');
  if (protocol === undefined && !ctx.partialOk) {
    throw xmlDetail(`missing required protocol attribute in DNS SRV record '${orNull(service)}' of network '${network}'`);
  }
  if (protocol !== undefined) {
    checkSrvLabel('protocol', protocol, PROTOCOL_CHARS, network);
    // libvirt accepts any name made of these characters; the model names the usual two.
    srv.protocol = protocol as NonNullable<DnsSrv['protocol']>;
  }

  const domain = prop(el, 'domain');
  const target = prop(el, 'target');
  if (domain !== undefined && !isDnsName(domain)) {
    refuseValue('dns/srv@domain', xmlDetail(`invalid domain attribute '${domain}' in DNS SRV record of network '${network}'`));
  }
  if (target !== undefined && target !== '.' && !isDnsName(target)) {
    refuseValue('dns/srv@target', xmlDetail(`invalid target attribute '${target}' in DNS SRV record of network '${network}'`));
  }
  if (domain !== undefined) srv.domain = domain;
  if (target !== undefined) srv.target = target;

  const checks = [
    { attr: 'port', label: 'port', bad: 'invalid', min: 1 },
    { attr: 'priority', label: 'priority', bad: 'Invalid', min: 0 },
    { attr: 'weight', label: 'weight', bad: 'invalid', min: 0 },
  ] as const;
  for (const c of checks) {
    const n = srvNumber(el, c.attr);
    if (n.kind === 'value' && target === undefined) {
      throw xmlDetail(`DNS SRV ${c.label} attribute not permitted without target for service '${orNull(service)}' in network '${network}'`);
    }
    if (n.kind === 'invalid' || (n.kind === 'value' && (n.value < c.min || n.value > 65535))) {
      throw xmlDetail(`${c.bad} DNS SRV ${c.label} attribute for service '${orNull(service)}' in network '${network}'`);
    }
    // 0 means "not set" to libvirt (it is neither written back nor given to dnsmasq).
    if (n.kind === 'value' && n.value !== 0) srv[c.attr] = n.value;
  }
  return srv;
}

/** <dns> (virNetworkDNSDefParseXML): all records are parsed before the "disabled" check. */
export function parseDns(el: XmlElementNode, networkName: string): DnsDef {
  const dns: DnsDef = { forwarders: [], txts: [], srvs: [], hosts: [] };
  const enable = propTristate(el, 'enable');
  const forwardPlainNames = propTristate(el, 'forwardPlainNames');
  if (enable !== undefined) dns.enable = enable;
  if (forwardPlainNames !== undefined) dns.forwardPlainNames = forwardPlainNames;

  for (const f of xpathChildren(el, 'forwarder')) {
    const addrText = prop(f, 'addr');
    const fwd: DnsForwarder = {};
    if (addrText !== undefined) {
      const addr = parseSocketAddr(addrText);
      if (!addr) throw xmlError(`Invalid forwarder IP address '${addrText}' in network '${networkName}'`);
      fwd.addr = formatIp(addr);
    }
    const domain = prop(f, 'domain');
    if (domain !== undefined && !isDnsmasqDomain(domain)) {
      refuseValue('dns/forwarder@domain', xmlError(`Invalid forwarder domain '${domain}' in network '${networkName}'`));
    }
    if (domain !== undefined) fwd.domain = domain;
    if (addrText === undefined && domain === undefined) {
      throw xmlError('Invalid forwarder element, must contain at least one of addr or domain');
    }
    dns.forwarders.push(fwd);
  }
  const ctx: ElementContext = { networkName };
  for (const h of xpathChildren(el, 'host')) dns.hosts.push(parseDnsHost(h, ctx));
  for (const s of xpathChildren(el, 'srv')) dns.srvs.push(parseDnsSrv(s, ctx));
  for (const t of xpathChildren(el, 'txt')) dns.txts.push(parseDnsTxt(t, ctx));

  if (enable === false && (dns.forwarders.length || dns.hosts.length || dns.srvs.length || dns.txts.length)) {
    throw xmlError(`Extra data in disabled network '${networkName}'`);
  }
  return dns;
}
