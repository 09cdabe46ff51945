/**
 * The shared netdev sub-elements libvirt formats the same way wherever they
 * appear (network, portgroup): <vlan>, <bandwidth>, <virtualport>, <route>
 * and a PCI <address>. Each follows the matching libvirt helper
 * (virNetDevVlanFormat, virNetDevBandwidthFormat,
 * virNetDevVPortProfileFormat, virNetDevIPRouteFormat,
 * virPCIDeviceAddressFormat), including which values it leaves unescaped.
 */
import type { BandwidthDef, BandwidthRate, PciAddress, RouteDef, VirtualPortDef, VlanDef } from './types.js';
import type { NetworkXmlOutput } from './format-output.js';
import { cHex, cInt, cUInt, cULongLong } from './format-numbers.js';

/** <vlan [trunk='yes']><tag id='N' [nativeMode=..]/>...</vlan>; nothing without tags. */
export function formatVlan(out: NetworkXmlOutput, vlan: VlanDef | undefined): void {
  if (!vlan || vlan.tags.length === 0) return;
  out.start('vlan', [['trunk', vlan.trunk ? 'yes' : undefined]]);
  for (const tag of vlan.tags)
    out.empty('tag', [
      ['id', cUInt(tag.id)],
      ['nativeMode', tag.nativeMode],
    ]);
  out.end('vlan');
}

/** One rate; written only when it has an average or a floor. */
function formatRate(out: NetworkXmlOutput, name: string, rate: BandwidthRate | undefined): void {
  if (!rate || !(rate.average || rate.floor)) return;
  const n = (v: number | undefined): string | undefined => (v ? cULongLong(v) : undefined);
  out.empty(name, [
    ['average', n(rate.average)],
    ['peak', n(rate.peak)],
    ['floor', n(rate.floor)],
    ['burst', n(rate.burst)],
  ]);
}

/**
 * <bandwidth [classID]> with <inbound> then <outbound>. Only a network port
 * writes its class id (`classId`); a network or portgroup never does (libvirt
 * passes class id 0 there; the network's own lives in the status file).
 */
export function formatBandwidth(out: NetworkXmlOutput, bw: BandwidthDef | undefined, classId?: number): void {
  if (!bw) return;
  out.start('bandwidth', [['classID', classId ? cUInt(classId) : undefined]]);
  formatRate(out, 'inbound', bw.inbound);
  formatRate(out, 'outbound', bw.outbound);
  out.end('bandwidth');
}

/**
 * <virtualport [type=..]><parameters .../></virtualport>. Each parameter is
 * written only for the types that use it (a typeless virtualport keeps all),
 * in libvirt's order: managerid, typeid, typeidversion, instanceid,
 * interfaceid, profileid. libvirt prints profileid unescaped; so do we.
 */
export function formatVirtualPort(out: NetworkXmlOutput, vp: VirtualPortDef | undefined): void {
  if (!vp) return;
  const p = vp.parameters ?? {};
  const noParameters = !(
    p.managerId !== undefined ||
    p.typeId !== undefined ||
    p.typeIdVersion !== undefined ||
    p.instanceId !== undefined ||
    (p.profileId !== undefined && p.profileId !== '') ||
    p.interfaceId !== undefined
  );
  const type = vp.type;
  if (type === undefined) {
    if (noParameters) return;
    out.start('virtualport');
  } else if (noParameters) {
    out.empty('virtualport', [['type', type]]);
    return;
  } else {
    out.start('virtualport', [['type', type]]);
  }
  const qbg = type === undefined || type === '802.1Qbg';
  const ifaceTypes = type === undefined || type === 'midonet' || type === 'openvswitch';
  const profileTypes = type === undefined || type === 'openvswitch' || type === '802.1Qbh';
  out.emptyTag('parameters', [
    ['managerid', qbg && p.managerId !== undefined ? cInt(p.managerId) : undefined],
    ['typeid', qbg && p.typeId !== undefined ? cInt(p.typeId) : undefined],
    ['typeidversion', qbg && p.typeIdVersion !== undefined ? cInt(p.typeIdVersion) : undefined],
    ['instanceid', qbg ? p.instanceId : undefined],
    ['interfaceid', ifaceTypes ? p.interfaceId : undefined],
    ['profileid', profileTypes && p.profileId ? p.profileId : undefined],
  ]);
  out.end('virtualport');
}

/** <route [family] address [netmask] [prefix] gateway [metric]/>: prefix whenever given, metric only above 0. */
export function formatRoute(out: NetworkXmlOutput, route: RouteDef): void {
  out.empty('route', [
    ['family', route.family],
    ['address', route.address],
    ['netmask', route.netmask],
    ['prefix', route.prefix !== undefined ? cUInt(route.prefix) : undefined],
    ['gateway', route.gateway],
    ['metric', route.metric !== undefined && route.metric > 0 ? cUInt(route.metric) : undefined],
  ]);
}

/** <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x1'/> (function in decimal, as libvirt). */
export function formatPciAddress(out: NetworkXmlOutput, addr: PciAddress): void {
  out.empty('address', [
    ['type', 'pci'],
    ['domain', `0x${cHex(addr.domain, 4)}`],
    ['bus', `0x${cHex(addr.bus, 2)}`],
    ['slot', `0x${cHex(addr.slot, 2)}`],
    ['function', `0x${cInt(addr.function)}`],
  ]);
}
