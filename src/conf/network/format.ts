/**
 * Network XML exactly as libvirt's virNetworkDefFormat writes it (11.3):
 * element and attribute order, which values are escaped, number formats,
 * and what live and inactive formatting each leave out. The sub-elements
 * live in format-*.ts, one module each.
 *
 * Order: <network [xmlns:dnsmasq] [connections] [ipv6] [trustGuestRxFilters]>,
 * name, uuid, title, description, metadata, forward, bridge, mtu, mac,
 * domain, dns, vlan, bandwidth, port, ip*, route*, virtualport, portgroup*,
 * dnsmasq:options, then virtnet's virtnet:ovn (with xmlns:virtnet on <network>;
 * an OVN network has no <bridge>).
 */
import type { BridgeDef, FormatOptions, ForwardMode, NetworkDef, PortGroupDef } from './types.js';
import { VIRTUAL_FORWARD_MODES } from './types.js';
import { DNSMASQ_NAMESPACE } from './parse.js';
import { NetworkXmlOutput } from './format-output.js';
import { formatMetadataBlock } from '../common/format-metadata.js';
import { formatForward } from './format-forward.js';
import { formatDns } from './format-dns.js';
import { formatOvn } from './format-ovn.js';
import { metadataWithForwards } from './port-forward-format.js';
import { OVN_NAMESPACE, OVN_PREFIX } from './ovn-types.js';
import { formatIp } from './format-ip.js';
import { formatBandwidth, formatRoute, formatVirtualPort, formatVlan } from './format-netdev.js';
import { cInt, cLong, cUInt } from './format-numbers.js';

const yesNo = (v: boolean | undefined): string | undefined => (v === undefined ? undefined : v ? 'yes' : 'no');

/**
 * <bridge>: always for the modes libvirt builds a bridge for (with stp and
 * delay), otherwise only when a name or macTableManager is set.
 */
function formatBridge(out: NetworkXmlOutput, bridge: BridgeDef, mode: ForwardMode, ovn: boolean): void {
  const hasBridge = VIRTUAL_FORWARD_MODES.includes(mode) && !ovn;
  if (!hasBridge && bridge.name === undefined && bridge.macTableManager === undefined) return;
  out.empty('bridge', [
    ['name', bridge.name],
    ['zone', bridge.zone],
    ['stp', hasBridge ? (bridge.stp ? 'on' : 'off') : undefined],
    ['delay', hasBridge ? cLong(bridge.delay) : undefined],
    ['macTableManager', bridge.macTableManager],
  ]);
}

/** <portgroup name [default] [trustGuestRxFilters]> with vlan, virtualport, bandwidth; the name unescaped, as libvirt. */
function formatPortGroup(out: NetworkXmlOutput, pg: PortGroupDef): void {
  out.startTag('portgroup', [
    ['name', pg.name],
    ['default', pg.isDefault ? 'yes' : undefined],
    ['trustGuestRxFilters', yesNo(pg.trustGuestRxFilters)],
  ]);
  formatVlan(out, pg.vlan);
  formatVirtualPort(out, pg.virtualPort);
  formatBandwidth(out, pg.bandwidth);
  out.end('portgroup');
}

/** Format a NetworkDef as libvirt's virNetworkDefFormat does, byte for byte. */
export function formatNetworkXml(def: NetworkDef, options: FormatOptions = {}): string {
  const inactive = options.inactive === true;
  const out = new NetworkXmlOutput();
  const hasDnsmasqOptions = def.dnsmasqOptions.length > 0;

  out.start('network', [
    ['xmlns:dnsmasq', hasDnsmasqOptions ? DNSMASQ_NAMESPACE : undefined],
    [`xmlns:${OVN_PREFIX}`, def.ovn ? OVN_NAMESPACE : undefined],
    ['connections', !inactive && def.connections > 0 ? cInt(def.connections) : undefined],
    ['ipv6', def.ipv6 ? 'yes' : undefined],
    ['trustGuestRxFilters', yesNo(def.trustGuestRxFilters)],
  ]);
  out.textElement('name', def.name);
  out.textElement('uuid', def.uuid);
  if (def.title !== undefined) out.textElement('title', def.title);
  if (def.description !== undefined) out.textElement('description', def.description);
  const metadata = metadataWithForwards(def.metadata, def.portForwards, inactive);
  if (metadata) out.block(formatMetadataBlock(metadata.elements, out.level, metadata.openTag));

  formatForward(out, def.forward, inactive);
  formatBridge(out, def.bridge, def.forward.mode, def.ovn !== undefined);
  if (def.mtu) out.empty('mtu', [['size', cUInt(def.mtu)]]);
  if (def.mac !== undefined) out.empty('mac', [['address', def.mac.toLowerCase()]]);
  if (def.domain) {
    out.emptyTag('domain', [
      ['name', def.domain.name],
      ['localOnly', yesNo(def.domain.localOnly)],
      ['register', yesNo(def.domain.register)],
    ]);
  }
  formatDns(out, def.dns);
  formatVlan(out, def.vlan);
  formatBandwidth(out, def.bandwidth);
  if (def.portIsolated !== undefined) out.empty('port', [['isolated', yesNo(def.portIsolated)]]);
  for (const ip of def.ips) formatIp(out, ip);
  for (const route of def.routes) formatRoute(out, route);
  formatVirtualPort(out, def.virtualPort);
  for (const pg of def.portGroups) formatPortGroup(out, pg);
  if (hasDnsmasqOptions) {
    out.start('dnsmasq:options');
    for (const value of def.dnsmasqOptions) out.empty('dnsmasq:option', [['value', value]]);
    out.end('dnsmasq:options');
  }
  formatOvn(out, def.ovn);
  out.end('network');
  return out.toString();
}
