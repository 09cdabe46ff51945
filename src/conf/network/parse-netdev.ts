/**
 * The network-device pieces a network shares with guest interfaces:
 * <bandwidth>, <vlan>, <virtualport>, <portgroup> and <route>
 * (libvirt's netdev_bandwidth_conf.c, netdev_vlan_conf.c,
 * netdev_vport_profile_conf.c, networkcommon_conf.c). Texts and their order
 * follow the newest libvirt sources available (bandwidth, routes) or, where
 * those were older, libvirt 9.0 as `virsh net-define` prints them (vlan,
 * virtualport).
 */
import type { XmlElementNode } from '../../xml/reader.js';
import type {
  BandwidthDef,
  BandwidthRate,
  PortGroupDef,
  RouteDef,
  VirtualPortDef,
  VirtualPortParameters,
  VirtualPortType,
  VlanDef,
  VlanTag,
} from './types.js';
import { formatIp, type IpAddress } from '../../util/ip.js';
import { maskByPrefix, parseSocketAddr } from './parse-addr.js';
import { parseUuid } from '../common/mac-uuid.js';
import { strToUInt } from '../common/parse-number.js';
import {
  configUnsupported,
  internalError,
  isYesIgnoringCase,
  prop,
  propEnum,
  propTristate,
  propUInt,
  propULongLong,
  subelement,
  xmlDetail,
  xmlError,
  xpathAttr,
  xpathChildren,
  xpathFirst,
  type ElementContext,
} from '../common/parse-helpers.js';

/* ---- <bandwidth> ---- */

/**
 * One <inbound>/<outbound> (virNetDevBandwidthParseRate): all four numbers
 * are read first, then the combinations are checked. Zero values are "not
 * set" to libvirt (neither written back nor applied) and are left out.
 */
function parseRate(el: XmlElementNode): BandwidthRate {
  const average = propULongLong(el, 'average', 10);
  const peak = propULongLong(el, 'peak', 10);
  const burst = propULongLong(el, 'burst', 10);
  const floor = propULongLong(el, 'floor', 10);
  if (average === undefined && floor === undefined) throw xmlDetail('Missing mandatory average or floor attributes');
  if ((peak !== undefined || burst !== undefined) && average === undefined) {
    throw configUnsupported("'peak' and 'burst' require 'average' attribute");
  }
  const rate: BandwidthRate = {};
  if (average) rate.average = Number(average);
  if (peak) rate.peak = Number(peak);
  if (floor) rate.floor = Number(floor);
  if (burst) rate.burst = Number(burst);
  return rate;
}

/**
 * <bandwidth> (virNetDevBandwidthParse): the first <inbound> and <outbound>,
 * by local name; undefined when it has neither, as libvirt then keeps
 * nothing. A network or portgroup has no class id and no floor; a network
 * port (`forPort`) may have both, a floor only inbound.
 */
export function parseBandwidth(el: XmlElementNode, forPort = false): BandwidthDef | undefined {
  const classId = prop(el, 'classID');
  if (classId !== undefined && !forPort) throw xmlDetail('classID attribute not supported on <bandwidth> in this usage context');
  const bw: BandwidthDef = {};
  if (classId !== undefined) {
    const id = strToUInt(classId, 10);
    if (id === undefined) throw internalError(`Unable to parse class id '${classId}'`);
    if (id !== 0) bw.classId = id;
  }
  const inbound = subelement(el, 'inbound');
  const outbound = subelement(el, 'outbound');
  if (inbound) {
    bw.inbound = parseRate(inbound);
    if (bw.inbound.floor && !forPort) throw configUnsupported('floor attribute is not supported for this config');
  }
  if (outbound) {
    bw.outbound = parseRate(outbound);
    if (bw.outbound.floor) {
      throw configUnsupported(forPort ? "'floor' attribute allowed only in <inbound> element" : 'floor attribute is not supported for this config');
    }
  }
  return inbound || outbound ? bw : undefined;
}

/* ---- <vlan> ---- */

const NATIVE_MODES = ['default', 'tagged', 'untagged'] as const;

/** <vlan> (virNetDevVlanParse). The native mode is set on every tag whose id is the native one, as libvirt writes it. */
export function parseVlan(el: XmlElementNode): VlanDef {
  const tagEls = xpathChildren(el, 'tag');
  if (tagEls.length === 0) {
    throw xmlError("missing tag id - each <vlan> must have at least one <tag id='n'/> subelement");
  }
  const tags: VlanTag[] = [];
  let native: { id: number; mode: 'tagged' | 'untagged' } | undefined;
  for (const t of tagEls) {
    const id = propUInt(t, 'id', 10, { required: true })!;
    if (id > 4095) throw xmlError(`vlan tag id ${id} too large (maximum 4095)`);
    const mode = propEnum(t, 'nativeMode', NATIVE_MODES, { nonzero: true });
    if (mode !== undefined) {
      if (native) throw xmlError('duplicate native vlan setting');
      native = { id, mode: mode as 'tagged' | 'untagged' };
    }
    tags.push({ id });
  }
  let trunk = tags.length > 1;
  const trunkText = xpathAttr(el, 'trunk');
  if (trunkText !== undefined) {
    trunk = isYesIgnoringCase(trunkText);
    if (!trunk) {
      if (tags.length > 1) {
        throw xmlError(`invalid "trunk='${trunkText}'" in <vlan> - trunk='yes' is required for more than one vlan tag`);
      }
      if (native) throw xmlError(`invalid configuration in <vlan> - "trunk='no'" is not allowed with a native vlan id`);
      if (trunkText.toLowerCase() !== 'no') throw xmlError(`invalid "trunk='${trunkText}'" in <vlan> - must be yes or no`);
    }
  }
  if (native) for (const t of tags) if (t.id === native.id) t.nativeMode = native.mode;
  const vlan: VlanDef = { tags };
  if (trunk) vlan.trunk = true;
  return vlan;
}

/* ---- <virtualport> ---- */

const VPORT_TYPES = ['none', '802.1Qbg', '802.1Qbh', 'openvswitch', 'midonet'] as const;

/** Parameters each type accepts; midonet is not checked by libvirt. */
const VPORT_ALLOWED: Record<VirtualPortType, ReadonlySet<string>> = {
  '802.1Qbg': new Set(['managerid', 'typeid', 'typeidversion', 'instanceid']),
  '802.1Qbh': new Set(['profileid']),
  openvswitch: new Set(['profileid', 'interfaceid']),
  midonet: new Set(['managerid', 'typeid', 'typeidversion', 'instanceid', 'profileid', 'interfaceid']),
};

/** libvirt's VIR_NETDEV_VPORT_PROFILE_MAX_PROFILE_ID (buffer size, including the NUL). */
const MAX_PROFILE_ID = 40;

/** <virtualport> (virNetDevVPortProfileParse); `requireType` for the network-level element. */
export function parseVirtualPort(el: XmlElementNode, requireType: boolean): VirtualPortDef {
  const vp: VirtualPortDef = {};
  const typeText = prop(el, 'type');
  if (typeText !== undefined) {
    const idx = VPORT_TYPES.indexOf(typeText as (typeof VPORT_TYPES)[number]);
    if (idx <= 0) throw configUnsupported(`unknown virtualport type ${typeText}`);
    vp.type = typeText as VirtualPortType;
  }
  if (vp.type === undefined && requireType) throw xmlError('missing required virtualport type');

  const paramsEl = subelement(el, 'parameters');
  if (!paramsEl) return vp;
  const params: VirtualPortParameters = {};
  const specified: string[] = [];
  const num = (name: string, max: number, range: string): number | undefined => {
    const s = prop(paramsEl, name);
    if (s === undefined) return undefined;
    const v = strToUInt(s, 0);
    if (v === undefined) throw xmlError(`cannot parse value of ${name} parameter`);
    if (v > max) throw xmlError(range);
    specified.push(name);
    return v;
  };
  const uuid = (name: string): string | undefined => {
    const s = prop(paramsEl, name);
    if (s === undefined) return undefined;
    const u = parseUuid(s);
    if (u === undefined) throw xmlError(`cannot parse ${name} parameter as a uuid`);
    specified.push(name);
    return u;
  };
  const managerId = num('managerid', 0xff, 'value of managerid out of range');
  const typeId = num('typeid', 0xffffff, 'value for typeid out of range');
  const typeIdVersion = num('typeidversion', 0xff, 'value of typeidversion out of range');
  const instanceId = uuid('instanceid');
  const profileId = prop(paramsEl, 'profileid');
  if (profileId !== undefined && Buffer.byteLength(profileId) >= MAX_PROFILE_ID) throw xmlError('profileid parameter too long');
  // An empty profileid is the same as none to libvirt.
  if (profileId) specified.push('profileid');
  const interfaceId = uuid('interfaceid');

  if (managerId !== undefined) params.managerId = managerId;
  if (typeId !== undefined) params.typeId = typeId;
  if (typeIdVersion !== undefined) params.typeIdVersion = typeIdVersion;
  if (instanceId !== undefined) params.instanceId = instanceId;
  if (profileId) params.profileId = profileId;
  if (interfaceId !== undefined) params.interfaceId = interfaceId;

  // virNetDevVPortProfileCheckNoExtras, in libvirt's order.
  if (vp.type !== undefined) {
    const allowed = VPORT_ALLOWED[vp.type];
    for (const name of ['managerid', 'typeid', 'typeidversion', 'instanceid', 'profileid', 'interfaceid']) {
      if (specified.includes(name) && !allowed.has(name)) {
        throw xmlError(`extra ${name} unsupported in <virtualport type='${vp.type}'>`);
      }
    }
  }
  vp.parameters = params;
  return vp;
}

/** The <bandwidth> and <vlan> a network and each of its portgroups may have, set on `into` when given. */
export function parseBandwidthAndVlan(el: XmlElementNode, into: { bandwidth?: BandwidthDef; vlan?: VlanDef }): void {
  const bwEl = xpathFirst(el, 'bandwidth');
  const bw = bwEl ? parseBandwidth(bwEl) : undefined;
  if (bw) into.bandwidth = bw;
  const vlanEl = xpathFirst(el, 'vlan');
  if (vlanEl) into.vlan = parseVlan(vlanEl);
}

/* ---- <portgroup> ---- */

/** <portgroup> (virNetworkPortGroupParseXML). */
export function parsePortGroup(el: XmlElementNode, ctx: ElementContext): PortGroupDef {
  void ctx;
  const name = xpathAttr(el, 'name');
  if (name === undefined) throw xmlError('Missing required name attribute in portgroup');
  const pg: PortGroupDef = { name };
  if (isYesIgnoringCase(xpathAttr(el, 'default'))) pg.isDefault = true;
  const trust = propTristate(el, 'trustGuestRxFilters');
  if (trust !== undefined) pg.trustGuestRxFilters = trust;
  const vpEl = xpathFirst(el, 'virtualport');
  if (vpEl) pg.virtualPort = parseVirtualPort(vpEl, false);
  parseBandwidthAndVlan(el, pg);
  return pg;
}

/* ---- <route> ---- */

/** <route> (virNetDevIPRouteParseXML); libvirt prefixes every message with the network name. */
export function parseRoute(el: XmlElementNode, networkName: string): RouteDef {
  const d = networkName;
  const family = prop(el, 'family');
  const addressText = prop(el, 'address');
  const netmaskText = prop(el, 'netmask');
  const gatewayText = prop(el, 'gateway');
  const prefix = propUInt(el, 'prefix', 10);
  const metric = propUInt(el, 'metric', 10, { nonzero: true });

  if (addressText === undefined) throw xmlError(`${d}: Missing required address attribute in route definition`);
  if (gatewayText === undefined) throw xmlError(`${d}: Missing required gateway attribute in route definition`);
  const address = parseSocketAddr(addressText);
  if (!address) throw xmlError(`${d}: Bad network address '${addressText}' in route definition`);
  const gateway = parseSocketAddr(gatewayText);
  if (!gateway) throw xmlError(`${d}: Bad gateway address '${gatewayText}' in route definition`);

  let netmask: IpAddress | undefined;
  if (family === undefined || family === 'ipv4') {
    const which = family === undefined ? 'No family specified' : 'IPv4 family specified';
    if (address.family !== 'ipv4') throw xmlError(`${d}: ${which} for non-IPv4 address '${addressText}' in route definition`);
    // libvirt names the address, not the gateway, in this message.
    if (gateway.family !== 'ipv4') throw xmlError(`${d}: ${which} for non-IPv4 gateway '${addressText}' in route definition`);
    if (netmaskText !== undefined) {
      netmask = parseSocketAddr(netmaskText);
      if (!netmask) throw xmlError(`${d}: Bad netmask address '${netmaskText}' in route definition`);
      if (netmask.family !== 'ipv4') {
        throw xmlError(`${d}: Invalid netmask '${netmaskText}' for address '${addressText}' (both must be IPv4)`);
      }
      if (prefix !== undefined) throw xmlError(`${d}: Route definition cannot have both a prefix and a netmask`);
    }
    if ((prefix ?? 0) > 32) throw xmlError(`${d}: Invalid prefix ${prefix} specified in route definition, must be 0 - 32`);
  } else if (family === 'ipv6') {
    if (address.family !== 'ipv6') throw xmlError(`${d}: ipv6 family specified for non-IPv6 address '${addressText}' in route definition`);
    if (netmaskText !== undefined) {
      throw xmlError(`${d}: Specifying netmask invalid for IPv6 address '${addressText}' in route definition`);
    }
    if (gateway.family !== 'ipv6') {
      throw xmlError(`${d}: ipv6 specified for non-IPv6 gateway address '${gatewayText}' in route definition`);
    }
    if ((prefix ?? 0) > 128) throw xmlError(`${d}: Invalid prefix ${prefix} specified in route definition, must be 0 - 128`);
  } else {
    throw xmlError(`${d}: Unrecognized family '${family}' in route definition`);
  }

  let network: bigint;
  if (netmask) {
    network = address.value & netmask.value;
  } else {
    const masked = maskByPrefix(address, prefix ?? 0);
    if (!masked) {
      throw internalError(`${d}: Error converting address '${addressText}' with prefix ${prefix ?? 0} to network-address in route definition`);
    }
    network = masked.value;
  }
  if (network !== address.value) throw xmlError(`${d}: Address '${addressText}' in route definition is not a network address`);

  const route: RouteDef = { address: formatIp(address), gateway: formatIp(gateway) };
  if (family !== undefined) route.family = family as NonNullable<RouteDef['family']>;
  if (netmask) route.netmask = formatIp(netmask);
  if (prefix !== undefined) route.prefix = prefix;
  if (metric !== undefined) route.metric = metric;
  return route;
}
