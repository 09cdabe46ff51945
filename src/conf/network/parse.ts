import type { DhcpHost, DhcpRange, DnsHost, DnsSrv, DnsTxt, IpDef, NetworkDef, PortGroupDef } from './types.js';
import type { XmlElementNode } from '../../xml/reader.js';

/** The dnsmasq XML namespace libvirt uses for <dnsmasq:options>. */
export const DNSMASQ_NAMESPACE = 'http://libvirt.org/schemas/network/dnsmasq/1.0';

/**
 * Parse libvirt network XML into a NetworkDef, applying libvirt's parse-time
 * checks (virNetworkDefParse). Throws VirError with libvirt's class and text.
 */
export function parseNetworkXml(xml: string): NetworkDef {
  void xml;
  throw new Error('not implemented');
}

/** Parse an already-read <network> element. */
export function parseNetworkElement(root: XmlElementNode): NetworkDef {
  void root;
  throw new Error('not implemented');
}

/*
 * Element-level parsers, shared with net-update (update.ts), which parses a
 * single element snippet the way libvirt's virNetworkDefUpdate* functions do.
 * `partialOk` allows the incomplete elements libvirt accepts for `delete`.
 */

export interface ElementContext {
  /** The network's name, for error texts. */
  networkName: string;
  /** Accept an incomplete element (net-update delete). */
  partialOk?: boolean;
}

/** <host> inside <ip><dhcp> (virNetworkDHCPHostDefParseXML). */
export function parseDhcpHost(el: XmlElementNode, ip: IpDef, ctx: ElementContext): DhcpHost {
  void el;
  void ip;
  void ctx;
  throw new Error('not implemented');
}

/** <range> inside <ip><dhcp>, with the subnet checks (virNetworkDHCPRangeDefParseXML). */
export function parseDhcpRange(el: XmlElementNode, ip: IpDef, ctx: ElementContext): DhcpRange {
  void el;
  void ip;
  void ctx;
  throw new Error('not implemented');
}

/** <portgroup> (virNetworkPortGroupParseXML). */
export function parsePortGroup(el: XmlElementNode, ctx: ElementContext): PortGroupDef {
  void el;
  void ctx;
  throw new Error('not implemented');
}

/** <host> inside <dns> (virNetworkDNSHostDefParseXML). */
export function parseDnsHost(el: XmlElementNode, ctx: ElementContext): DnsHost {
  void el;
  void ctx;
  throw new Error('not implemented');
}

/** <txt> inside <dns> (virNetworkDNSTxtDefParseXML). */
export function parseDnsTxt(el: XmlElementNode, ctx: ElementContext): DnsTxt {
  void el;
  void ctx;
  throw new Error('not implemented');
}

/** <srv> inside <dns> (virNetworkDNSSrvDefParseXML). */
export function parseDnsSrv(el: XmlElementNode, ctx: ElementContext): DnsSrv {
  void el;
  void ctx;
  throw new Error('not implemented');
}
