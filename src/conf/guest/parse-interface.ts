/**
 * Reading one `<interface>` (libvirt's virDomainNetDefParseXML, the part of
 * it virtnet types), with libvirt's checks in libvirt's order and with its
 * texts and classes, as libvirt 9.0 reports them:
 *
 *   type → trustGuestRxFilters → model → source → target → mac → alias
 *
 * Interface types libvirt knows but virtnet does not connect (user, direct,
 * ...) are refused right after the type is read, with libvirt's
 * "Unsupported net type" text.
 *
 * Like libvirt, only the first <mac>, <source>, <target> and <alias> count
 * (and the first <model> that has a type); their other attributes and
 * children, and any further copies, are dropped. Every other child element
 * is kept in `extra`.
 */
import { VirError } from '../../util/errors.js';
import type { XmlElementNode } from '../../xml/reader.js';
import { formatMac, isMulticastMac, parseMac, parseUuid } from '../common/mac-uuid.js';
import { configUnsupported, prop, propEnum, propTristate, xmlError, xpathChildren, xpathFirst } from '../common/parse-helpers.js';
import { INTERFACE_TYPES, type GuestInterface, type InterfaceType, type PreservedElement } from './types.js';

/** libvirt's interface types (virDomainNetType, 9.0), 'user' being the default. */
const LIBVIRT_NET_TYPES = [
  'user',
  'ethernet',
  'vhostuser',
  'server',
  'client',
  'mcast',
  'network',
  'bridge',
  'internal',
  'direct',
  'hostdev',
  'udp',
  'vdpa',
  'null',
  'vds',
] as const;

/** libvirt's NIC models (virDomainNetModel), matched case-insensitively and written in this spelling. */
const LIBVIRT_NET_MODELS = [
  'unknown',
  'netfront',
  'rtl8139',
  'virtio',
  'e1000',
  'e1000e',
  'virtio-transitional',
  'virtio-non-transitional',
  'usb-net',
  'spapr-vlan',
  'lan9118',
  'scm91c111',
  'vlance',
  'vmxnet',
  'vmxnet2',
  'vmxnet3',
  'Am79C970A',
  'Am79C973',
  '82540EM',
  '82545EM',
  '82543GC',
] as const;

/** Characters libvirt allows in a model name. */
const MODEL_CHARS = /^[a-zA-Z0-9_-]*$/;

/** Prefixes of target names libvirt generates, blanked when reading inactive XML. */
const GENERATED_TARGET_PREFIXES = ['vnet', 'macvtap', 'macvlan'] as const;

/** libvirt's prefix for user-defined aliases. */
const USER_ALIAS_PREFIX = 'ua-';

/** The child elements the typed record holds. */
const TYPED_CHILDREN = new Set(['mac', 'source', 'target', 'model', 'alias']);

export function isGeneratedTarget(dev: string): boolean {
  return GENERATED_TARGET_PREFIXES.some((p) => dev.startsWith(p));
}

export function isUserAlias(alias: string): boolean {
  return alias.startsWith(USER_ALIAS_PREFIX);
}

/** The error for an interface type virtnet does not connect. */
export function unsupportedNetType(type: string): VirError {
  return configUnsupported(`Unsupported net type '${type}'`);
}

/** The interface type of an <interface> element, checked as libvirt does (absent means 'user'). */
function interfaceType(el: XmlElementNode): InterfaceType {
  const type = propEnum(el, 'type', LIBVIRT_NET_TYPES) ?? 'user';
  if (!(INTERFACE_TYPES as readonly string[]).includes(type)) throw unsupportedNetType(type);
  return type as InterfaceType;
}

/** "string(./model/@type)": the type of the first <model> that has one; empty counts as absent. */
function modelText(el: XmlElementNode): string | undefined {
  for (const m of xpathChildren(el, 'model')) {
    const t = m.attrs.find((a) => a.name === 'type' && a.prefix === '');
    if (t) return t.value === '' ? undefined : t.value;
  }
  return undefined;
}

/** virDomainNetSetModelString: the character check, then libvirt's spelling of a known model ('unknown' means none). */
function canonicalModel(model: string): string | undefined {
  if (!MODEL_CHARS.test(model)) throw new VirError('INVALID_ARG', 'Model name contains invalid characters');
  const known = LIBVIRT_NET_MODELS.find((m) => m.toLowerCase() === model.toLowerCase());
  if (known === 'unknown') return undefined;
  return known ?? model;
}

/** A canonical MAC from <mac address>, with libvirt's two checks. */
function parseInterfaceMac(text: string): string {
  const bytes = parseMac(text);
  if (!bytes) throw xmlError(`unable to parse mac address '${text}'`);
  if (isMulticastMac(bytes)) throw xmlError(`expected unicast mac address, found multicast '${text}'`);
  return formatMac(bytes);
}

const MAC_TYPES = ['', 'generated', 'static'] as const;

/**
 * Parse an <interface> element. `preserve` turns the kept children into
 * PreservedElements (readGuestTree's converter).
 */
export function parseInterfaceElement(
  el: XmlElementNode,
  options: { inactive?: boolean },
  preserve: (el: XmlElementNode) => PreservedElement,
): GuestInterface {
  const inactive = options.inactive === true;
  const type = interfaceType(el);
  const iface: GuestInterface = { type, source: '', extra: [] };

  const trust = propTristate(el, 'trustGuestRxFilters');
  if (trust !== undefined) iface.trustGuestRxFilters = trust;

  const model = modelText(el);
  if (model !== undefined) {
    const canonical = canonicalModel(model);
    if (canonical !== undefined) iface.model = canonical;
  }

  const source = xpathFirst(el, 'source');
  if (!source) throw xmlError(`interface type='${type}' requires a 'source' element`);
  const sourceAttr = type === 'network' ? 'network' : 'bridge';
  const sourceName = prop(source, sourceAttr);
  if (sourceName === undefined) throw xmlError(`Missing required attribute '${sourceAttr}' in element 'source'`);
  iface.source = sourceName;
  if (type === 'network') {
    const portgroup = prop(source, 'portgroup');
    if (portgroup !== undefined) iface.portgroup = portgroup;
    if (!inactive) {
      const portid = prop(source, 'portid');
      if (portid !== undefined) {
        const uuid = parseUuid(portid);
        if (uuid === undefined) throw xmlError(`Invalid value for attribute 'portid' in element 'source': '${portid}'. Expected UUID`);
        iface.portid = uuid;
      }
      const bridge = prop(source, 'bridge');
      if (bridge !== undefined) iface.actualBridge = bridge;
    }
  }

  const target = xpathFirst(el, 'target');
  if (target) {
    const dev = prop(target, 'dev');
    if (dev !== undefined) iface.target = dev;
    const managed = propTristate(target, 'managed');
    if (managed !== undefined) iface.targetManaged = managed;
  }

  const mac = xpathFirst(el, 'mac');
  if (mac) {
    const address = prop(mac, 'address');
    if (address !== undefined) iface.mac = parseInterfaceMac(address);
    const macType = propEnum(mac, 'type', MAC_TYPES, { nonzero: true });
    if (macType !== undefined) iface.macType = macType as 'generated' | 'static';
    const check = propTristate(mac, 'check');
    if (check !== undefined) iface.macCheck = check;
  }

  const alias = prop(xpathFirst(el, 'alias'), 'name');
  if (alias !== undefined && (!inactive || isUserAlias(alias))) iface.alias = alias;

  // An auto-generated target name is not part of a persistent definition.
  if (inactive && iface.target !== undefined && iface.targetManaged !== false && isGeneratedTarget(iface.target)) delete iface.target;

  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    if (c.namespaceUri === '' && TYPED_CHILDREN.has(c.name)) continue;
    iface.extra.push(preserve(c));
  }
  return iface;
}
