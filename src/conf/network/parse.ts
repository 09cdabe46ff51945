/**
 * Reading libvirt network XML into a NetworkDef (libvirt's virNetworkDefParse
 * and virNetworkDefParseXML), with every parse-time check, in libvirt's order
 * and with its texts and error classes. The element parsers live in
 * parse-*.ts; this module holds the document-level steps: the root, the
 * top-level elements, the checks that tie <forward> to the rest, static route
 * gateways, <metadata> and <dnsmasq:options>.
 *
 * Texts follow libvirt's newest sources that could be read (the corpus and
 * the formatter target libvirt 11.3), including the libvirt 11 additions the
 * model carries (<driver model>, `xen`, <domain register>); where those
 * sources were older than 9.0, libvirt 9.0 as `virsh net-define` prints them.
 */
import { randomUUID } from 'node:crypto';
import { emptyNetworkDef, type BridgeDef, type MetadataDef, type NetworkDef } from './types.js';
import { readXml, type XmlElementNode } from '../../xml/reader.js';
import { isValidIfname } from '../../util/ifname.js';
import { formatIp, ipPrefixOf } from '../../util/ip.js';
import { isDnsmasqDomain, isOneDnsmasqLine } from './dnsmasq-syntax.js';
import { refuseValue } from './refused-values.js';
import { maskByPrefix, parseSocketAddr } from './parse-addr.js';
import { formatMac, isMulticastMac, parseMac, parseUuid } from '../common/mac-uuid.js';
import {
  configUnsupported,
  internalError,
  prop,
  propTristate,
  xmlDetail,
  xmlError,
  xpathAttr,
  xpathChildren,
  xpathFirst,
  xpathText,
  type ElementContext,
} from '../common/parse-helpers.js';
import { parseDns } from './parse-dns.js';
import { parseForward } from './parse-forward.js';
import { parseIpElement } from './parse-ip.js';
import { metadataCapture } from '../common/parse-metadata.js';
import { parseOvn } from './parse-ovn.js';
import { checkPortForwards, takePortForwards } from './port-forward-parse.js';
import { parseBandwidthAndVlan, parsePortGroup, parseRoute, parseVirtualPort } from './parse-netdev.js';
import { strToUInt, strToULongP } from '../common/parse-number.js';

export type { ElementContext } from '../common/parse-helpers.js';

/** The dnsmasq XML namespace libvirt uses for <dnsmasq:options>. */
export const DNSMASQ_NAMESPACE = 'http://libvirt.org/schemas/network/dnsmasq/1.0';

/** libvirt's label for network XML in parse errors. */
const LABEL = '(network_definition)';

/** The <metadata> model of trees read by readNetworkTree (it needs libxml2's tree, gone once read). */
const metadataOfTree = new WeakMap<XmlElementNode, MetadataDef | undefined>();

/**
 * Read network XML the way libvirt does (blank text nodes dropped, the
 * <metadata> copy prepared), without interpreting it. Malformed XML gives
 * libxml2's text; any root element is returned.
 */
export function readNetworkTree(xml: string): XmlElementNode {
  const capture = metadataCapture(xml);
  const root = readXml(xml, { label: LABEL, noBlanks: true, dump: (el, depth) => capture.dump(el, depth) });
  metadataOfTree.set(root, capture.finish(root));
  return root;
}

/**
 * Parse libvirt network XML into a NetworkDef, applying libvirt's parse-time
 * checks (virNetworkDefParse). Throws VirError with libvirt's class and text.
 */
export function parseNetworkXml(xml: string): NetworkDef {
  const root = readNetworkTree(xml);
  if (root.name !== 'network') throw xmlError(`expecting root element of 'network', not '${root.name}'`);
  return parseNetworkElement(root);
}

/* ---- the network ---- */

const MAC_TABLE_MANAGERS = ['default', 'kernel', 'libvirt'] as const;

/**
 * A bridge name the kernel and our tools take as it is; a name holding "%d"
 * is a template (defaults.ts), whose names up to virbr256's width must be.
 */
function isUsableBridgeName(name: string): boolean {
  return isValidIfname(name.includes('%d') ? name.replace('%d', '256') : name);
}

/** <bridge> (read by XPath in libvirt, so empty attributes count as absent). Returns the raw stp text for the mode checks. */
function parseBridge(root: XmlElementNode, name: string): { bridge: BridgeDef; stpText: string | undefined } {
  const el = xpathFirst(root, 'bridge');
  const stpText = xpathAttr(el, 'stp');
  const bridge: BridgeDef = { stp: stpText !== 'off', delay: 0 };
  const bridgeName = xpathAttr(el, 'name');
  const zone = xpathAttr(el, 'zone');
  if (bridgeName !== undefined && !isUsableBridgeName(bridgeName))
    refuseValue('bridge@name', xmlError(`Invalid bridge name '${bridgeName}' in network '${name}'`));
  if (bridgeName !== undefined) bridge.name = bridgeName;
  if (zone !== undefined) bridge.zone = zone;
  const delayText = xpathAttr(el, 'delay');
  if (delayText !== undefined) {
    const delay = strToULongP(delayText, 10);
    if (delay === undefined) throw xmlError(`Invalid delay value in network '${name}'`);
    bridge.delay = Number(delay);
  }
  const mtm = xpathAttr(el, 'macTableManager');
  if (mtm !== undefined) {
    const idx = MAC_TABLE_MANAGERS.indexOf(mtm as (typeof MAC_TABLE_MANAGERS)[number]);
    if (idx <= 0) throw xmlError(`Invalid macTableManager setting '${mtm}' in network '${name}'`);
    bridge.macTableManager = mtm as NonNullable<BridgeDef['macTableManager']>;
  }
  return { bridge, stpText };
}

/** "string(./mtu/@size)": the size of the first <mtu> that has one. */
function mtuText(root: XmlElementNode): string | undefined {
  for (const m of xpathChildren(root, 'mtu')) {
    const s = m.attrs.find((a) => a.name === 'size' && a.prefix === '');
    if (s) return s.value === '' ? undefined : s.value;
  }
  return undefined;
}

/** Each <route gateway> must lie in the subnet of an <ip> of its family. */
function checkRouteGateways(def: NetworkDef): void {
  for (const route of def.routes) {
    const gateway = parseSocketAddr(route.gateway)!;
    const reachable = def.ips.some((ip) => {
      const address = ip.address !== undefined ? parseSocketAddr(ip.address) : undefined;
      if (!address || address.family !== gateway.family) return false;
      const netmask = ip.netmask !== undefined ? parseSocketAddr(ip.netmask) : undefined;
      const prefix = ipPrefixOf(address, netmask, ip.prefix);
      const a = maskByPrefix(address, prefix);
      const g = maskByPrefix(gateway, prefix);
      return a !== undefined && g !== undefined && a.value === g.value;
    });
    if (!reachable) {
      throw configUnsupported(`unreachable static route gateway '${formatIp(gateway)}' specified for network '${def.name}'`);
    }
  }
}

/** The checks tying <forward mode> to the rest of the definition. */
function checkForwardMode(def: NetworkDef, stpText: string | undefined): void {
  const { mode } = def.forward;
  const name = def.name;
  const hasForwardDev = def.forward.interfaces.length > 0 || def.forward.pf !== undefined;
  switch (mode) {
    case 'none':
      break;
    case 'route':
    case 'nat':
    case 'open':
      if (def.ips.length === 0) throw xmlError(`${mode} forwarding requested, but no IP address provided for network '${name}'`);
      if (def.forward.interfaces.length > 1) {
        throw xmlError(`multiple forwarding interfaces specified for network '${name}', only one is supported`);
      }
      if (mode === 'open' && def.forward.interfaces.length > 0) {
        throw xmlError(`forward dev not allowed for network '${name}' with forward mode='${mode}'`);
      }
      break;
    case 'private':
    case 'vepa':
    case 'passthrough':
    case 'hostdev':
    case 'bridge':
      if (mode !== 'bridge') {
        if (def.bridge.name !== undefined) throw xmlError(`bridge name not allowed in ${mode} mode (network '${name}')`);
        if (def.bridge.zone !== undefined) throw xmlError(`bridge zone not allowed in ${mode} mode (network '${name}')`);
        if (def.bridge.macTableManager !== undefined) {
          throw xmlError(`bridge macTableManager setting not allowed in ${mode} mode (network '${name}')`);
        }
      }
      if (def.bridge.delay !== 0 || stpText !== undefined || def.bridge.zone !== undefined) {
        throw xmlError(`bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in ${mode} (network '${name}')`);
      }
      if (def.bridge.name !== undefined && hasForwardDev) {
        throw xmlError(`A network with forward mode='${mode}' can specify a bridge name or a forward dev, but not both (network '${name}')`);
      }
      break;
  }
  if (def.mtu && !['none', 'nat', 'route', 'open'].includes(mode)) {
    throw xmlError(`mtu size only allowed in open, route, nat, and isolated mode, not in ${mode} (network '${name}')`);
  }
}

/**
 * <dnsmasq:options><dnsmasq:option value=.../></dnsmasq:options>, matched by
 * namespace URI. Each value is one line of dnsmasq's conf, as written.
 */
function parseDnsmasqOptions(root: XmlElementNode, networkName: string): string[] {
  const values: string[] = [];
  for (const opts of root.children) {
    if (opts.kind !== 'element' || opts.name !== 'options' || opts.namespaceUri !== DNSMASQ_NAMESPACE) continue;
    for (const opt of opts.children) {
      if (opt.kind !== 'element' || opt.name !== 'option' || opt.namespaceUri !== DNSMASQ_NAMESPACE) continue;
      const value = prop(opt, 'value');
      if (value === undefined) throw internalError('No dnsmasq options value specified');
      if (!isOneDnsmasqLine(value)) {
        refuseValue(
          'dnsmasq:options/option@value',
          configUnsupported(`dnsmasq option '${value}' of network '${networkName}' is not one line of at most 1024 bytes`),
        );
      }
      values.push(value);
    }
  }
  return values;
}

/** <metadata> of a tree read some other way: only the element dumps the reader kept, if any. */
function metadataWithoutCapture(root: XmlElementNode): MetadataDef | undefined {
  const md = xpathFirst(root, 'metadata');
  if (!md) return undefined;
  const seen = new Set<string>();
  const elements: string[] = [];
  for (const c of md.children) {
    if (c.kind !== 'element' || c.namespaceUri === '' || seen.has(c.namespaceUri)) continue;
    seen.add(c.namespaceUri);
    if (c.dump !== undefined) elements.push(c.dump);
  }
  return { elements };
}

/**
 * Parse an already-read <network> element (virNetworkDefParseXML). For
 * <metadata> to come out as libvirt writes it, read the document with
 * readNetworkTree (parseNetworkXml does).
 */
function parseNetworkElement(root: XmlElementNode): NetworkDef {
  const name = xpathText(root, 'name');
  if (name === undefined) throw xmlDetail('missing name information');
  if (name.includes('/')) throw xmlDetail('invalid char in name: /');

  const uuidText = xpathText(root, 'uuid');
  let uuid: string;
  if (uuidText === undefined) uuid = randomUUID();
  else {
    const parsed = parseUuid(uuidText);
    if (parsed === undefined) throw internalError('malformed uuid element');
    uuid = parsed;
  }

  const def = emptyNetworkDef(name, uuid, uuidText !== undefined);

  const title = xpathText(root, 'title');
  if (title !== undefined) {
    if (title.includes('\n')) throw xmlError("Network title can't contain newlines");
    def.title = title;
  }
  const description = xpathText(root, 'description');
  if (description !== undefined) def.description = description;

  const ipv6 = xpathAttr(root, 'ipv6');
  if (ipv6 !== undefined) {
    if (ipv6 !== 'yes' && ipv6 !== 'no') throw xmlError(`Invalid ipv6 setting '${ipv6}' in network '${name}'`);
    def.ipv6 = ipv6 === 'yes';
  }
  const trust = propTristate(root, 'trustGuestRxFilters');
  if (trust !== undefined) def.trustGuestRxFilters = trust;

  const domainEl = xpathFirst(root, 'domain');
  const domainName = prop(domainEl, 'name');
  const localOnly = propTristate(domainEl, 'localOnly');
  const register = propTristate(domainEl, 'register');
  if (domainName !== undefined) {
    if (!isDnsmasqDomain(domainName)) refuseValue('domain@name', xmlError(`Invalid domain name '${domainName}' in network '${name}'`));
    def.domain = { name: domainName };
    if (localOnly !== undefined) def.domain.localOnly = localOnly;
    if (register !== undefined) def.domain.register = register;
  }

  parseBandwidthAndVlan(root, def);
  const isolated = propTristate(xpathFirst(root, 'port'), 'isolated');
  if (isolated !== undefined) def.portIsolated = isolated;

  const { bridge, stpText } = parseBridge(root, name);
  def.bridge = bridge;

  const macText = xpathAttr(xpathFirst(root, 'mac'), 'address');
  if (macText !== undefined) {
    const bytes = parseMac(macText);
    if (!bytes) throw xmlError(`Invalid bridge mac address '${macText}' in network '${name}'`);
    if (isMulticastMac(bytes)) throw xmlError(`Invalid multicast bridge mac address '${macText}' in network '${name}'`);
    def.mac = formatMac(bytes);
  }

  const mtu = mtuText(root);
  if (mtu !== undefined) {
    const v = strToUInt(mtu, 10);
    if (v === undefined) throw xmlError(`Invalid mtu size '${mtu}' in network '${name}'`);
    def.mtu = v;
  }

  const dnsEl = xpathFirst(root, 'dns');
  if (dnsEl) def.dns = parseDns(dnsEl, name);

  const vpEl = xpathFirst(root, 'virtualport');
  if (vpEl) def.virtualPort = parseVirtualPort(vpEl, true);

  const ctx: ElementContext = { networkName: name };
  for (const pg of xpathChildren(root, 'portgroup')) def.portGroups.push(parsePortGroup(pg, ctx));
  for (const ip of xpathChildren(root, 'ip')) def.ips.push(parseIpElement(ip, name));
  for (const r of xpathChildren(root, 'route')) def.routes.push(parseRoute(r, name));
  checkRouteGateways(def);

  const forwardEl = xpathFirst(root, 'forward');
  if (forwardEl) def.forward = parseForward(forwardEl, name);
  checkForwardMode(def, stpText);

  const captured = metadataOfTree.has(root) ? metadataOfTree.get(root) : metadataWithoutCapture(root);
  const { forwards, metadata } = takePortForwards(xpathFirst(root, 'metadata'), captured, name);
  if (metadata) def.metadata = metadata;
  if (forwards) def.portForwards = forwards;

  def.dnsmasqOptions = parseDnsmasqOptions(root, name);
  const ovn = parseOvn(root, name);
  if (ovn) def.ovn = ovn;
  checkPortForwards(def);
  return def;
}
