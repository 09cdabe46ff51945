/**
 * Reading a <networkport> document (virNetworkPortDefParseXML), in libvirt's
 * order and with its texts: uuid, owner name and uuid, group, virtualport,
 * MAC, bandwidth (a class id and an inbound floor allowed), vlan, port
 * isolated, rxfilters, the optional plug. PCI plugs (hostdev networks) are
 * refused: virtnet cannot hand devices out.
 */
import { readXml } from '../../xml/reader.js';
import { formatMac, parseMac, parseUuid } from '../common/mac-uuid.js';
import { configUnsupported, internalError, prop, propTristate, xmlError, xpathAttr, xpathFirst, xpathText } from '../common/parse-helpers.js';
import { parseBandwidth, parseVirtualPort, parseVlan } from './parse-netdev.js';
import type { DirectModeName, NetworkPortDef, PortPlug } from './port-types.js';

const LABEL = '(networkport_definition)';
const DIRECT_MODES: readonly DirectModeName[] = ['vepa', 'private', 'bridge', 'passthrough'];

function uuidOf(text: string | undefined, missing: string): string {
  if (text === undefined) throw internalError(missing);
  const uuid = parseUuid(text);
  if (uuid === undefined) throw internalError(`Unable to parse UUID '${text}'`);
  return uuid;
}

function plugOf(el: ReturnType<typeof xpathFirst>): PortPlug | undefined {
  if (el === undefined) return undefined;
  const type = prop(el, 'type');
  if (type === undefined || type === 'none') return undefined;
  if (type === 'network' || type === 'bridge') {
    const bridge = prop(el, 'bridge');
    if (bridge === undefined) throw xmlError('Missing network port bridge name');
    const manager = prop(el, 'macTableManager');
    if (manager !== undefined && manager !== 'kernel' && manager !== 'libvirt')
      throw xmlError(`Invalid macTableManager setting '${manager}' in network port`);
    return { type, bridge, ...(manager ? { macTableManager: manager } : {}) };
  }
  if (type === 'direct') {
    const dev = prop(el, 'dev');
    if (dev === undefined) throw xmlError('Missing network port link device name');
    const mode = prop(el, 'mode') ?? 'vepa';
    if (!DIRECT_MODES.includes(mode as DirectModeName)) throw xmlError(`Invalid mode setting '${mode}' in network port`);
    return { type, dev, mode: mode as DirectModeName };
  }
  if (type === 'hostdev-pci') throw configUnsupported('virtnet cannot plug a network port into a PCI device (hostdev-pci)');
  throw xmlError(`Invalid value for attribute 'type' in element 'plug': '${type}'.`);
}

export function parseNetworkPortXml(xml: string): NetworkPortDef {
  const root = readXml(xml, { label: LABEL, noBlanks: true });
  if (root.name !== 'networkport') throw xmlError(`expecting root element of 'networkport', not '${root.name}'`);
  const uuid = uuidOf(xpathText(root, 'uuid'), 'network port has no uuid');
  const owner = xpathFirst(root, 'owner');
  const ownerName = owner ? xpathText(owner, 'name') : undefined;
  if (ownerName === undefined) throw internalError('network port has no owner name');
  const ownerUuid = uuidOf(owner ? xpathText(owner, 'uuid') : undefined, 'network port has no owner UUID');
  const group = xpathText(root, 'group');
  const vpEl = xpathFirst(root, 'virtualport');
  const virtualPort = vpEl ? parseVirtualPort(vpEl, false) : undefined;
  const macEl = xpathFirst(root, 'mac');
  const macText = macEl ? xpathAttr(macEl, 'address') : undefined;
  if (macText === undefined) throw internalError('network port has no mac');
  const mac = parseMac(macText);
  if (mac === undefined) throw internalError(`Unable to parse MAC '${macText}'`);
  const bwEl = xpathFirst(root, 'bandwidth');
  const bandwidth = bwEl ? parseBandwidth(bwEl, true) : undefined;
  const vlanEl = xpathFirst(root, 'vlan');
  const vlan = vlanEl ? parseVlan(vlanEl) : undefined;
  const isolated = propTristate(xpathFirst(root, 'port'), 'isolated');
  const trustGuestRxFilters = propTristate(xpathFirst(root, 'rxfilters'), 'trustGuest');
  const plug = plugOf(xpathFirst(root, 'plug'));
  return {
    uuid,
    owner: { name: ownerName, uuid: ownerUuid },
    ...(group !== undefined ? { group } : {}),
    mac: formatMac(mac),
    ...(virtualPort !== undefined ? { virtualPort } : {}),
    ...(bandwidth !== undefined ? { bandwidth } : {}),
    ...(vlan !== undefined ? { vlan } : {}),
    ...(isolated !== undefined ? { isolated } : {}),
    ...(trustGuestRxFilters !== undefined ? { trustGuestRxFilters } : {}),
    ...(plug ? { plug } : {}),
  };
}
