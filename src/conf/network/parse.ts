import type { NetworkDef } from './types.js';
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
