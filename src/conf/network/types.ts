/**
 * The network definition: the typed model of libvirt's network XML
 * (schemas/network.rng). Parsing fills it, formatting writes it back, and
 * every later layer (validation, defaults, planners, driver) reads it.
 *
 * Conventions:
 * - An optional attribute that libvirt keeps as a tristate ("absent", "yes",
 *   "no") is `boolean | undefined`; `undefined` means "not written".
 * - Addresses are held as strings in the canonical text form libvirt prints
 *   (IPv4 dotted quad, IPv6 compressed lower case). The parser normalizes them.
 * - Arrays are never undefined; an empty array means "none".
 */
import type { AddressFamily } from '../../util/ip.js';
import type { MetadataDef } from '../common/types.js';

export type { AddressFamily } from '../../util/ip.js';
export type { MetadataDef } from '../common/types.js';
import type { PortForwardsDef } from './port-forward-types.js';
import type { OvnDef } from './ovn-types.js';
export type { OvnDef } from './ovn-types.js';

/** How the network reaches beyond its bridge. 'none' is the isolated network (no <forward>). */
export type ForwardMode = 'none' | 'nat' | 'route' | 'open' | 'bridge' | 'private' | 'vepa' | 'passthrough' | 'hostdev';

/** Modes whose networks libvirt builds itself: a bridge with addresses, DHCP/DNS and firewall rules. */
export const VIRTUAL_FORWARD_MODES: readonly ForwardMode[] = ['none', 'nat', 'route', 'open'];

/** A PCI address as libvirt writes it: domain='0x0000' bus='0x03' slot='0x00' function='0x1'. */
export interface PciAddress {
  domain: number;
  bus: number;
  slot: number;
  function: number;
}

/** One entry of the forward interface pool: a host netdev or (hostdev mode) a PCI device. */
export type ForwardInterface = { type: 'netdev'; dev: string; connections: number } | { type: 'pci'; address: PciAddress; connections: number };

export interface ForwardNat {
  /** <nat><address start end/>: SNAT instead of masquerade. */
  addressStart?: string;
  addressEnd?: string;
  /** <nat><port start end/>: 0 means "not given". */
  portStart: number;
  portEnd: number;
  /** <nat ipv6='yes|no'>. */
  ipv6?: boolean;
}

export interface ForwardDef {
  mode: ForwardMode;
  /** managed='yes|no' (hostdev). */
  managed?: boolean;
  /** <driver name='kvm|vfio|xen' model='...'/> (hostdev). */
  driverName?: 'kvm' | 'vfio' | 'xen';
  driverModel?: string;
  /** <pf dev='...'/>: at most one. */
  pf?: string;
  /** The interface / PCI address pool. A `dev=` attribute becomes the first netdev entry. */
  interfaces: ForwardInterface[];
  /** <nat> (nat mode only); undefined when absent. */
  nat?: ForwardNat;
}

export interface BridgeDef {
  /** Absent until defaults fill it; may be a template containing one %d. */
  name?: string;
  zone?: string;
  /** libvirt: stp defaults to on; only the literal "off" disables it. */
  stp: boolean;
  /** Forward delay in seconds (default 0). */
  delay: number;
  macTableManager?: 'kernel' | 'libvirt';
}

interface DomainDef {
  name: string;
  localOnly?: boolean;
  register?: boolean;
}

export interface DnsForwarder {
  addr?: string;
  domain?: string;
}

export interface DnsTxt {
  name: string;
  value: string;
}

export interface DnsSrv {
  service?: string;
  protocol?: 'tcp' | 'udp';
  domain?: string;
  target?: string;
  port?: number;
  priority?: number;
  weight?: number;
}

export interface DnsHost {
  ip: string;
  hostnames: string[];
}

export interface DnsDef {
  enable?: boolean;
  forwardPlainNames?: boolean;
  forwarders: DnsForwarder[];
  txts: DnsTxt[];
  srvs: DnsSrv[];
  hosts: DnsHost[];
}

export type LeaseUnit = 'seconds' | 'minutes' | 'hours';

/** <lease expiry='N' unit='...'/>: expiry 0 means infinite. The unit is written only when it was given. */
export interface LeaseDef {
  expiry: number;
  unit?: LeaseUnit;
}

export interface DhcpRange {
  start: string;
  end: string;
  lease?: LeaseDef;
}

export interface DhcpHost {
  /** IPv4 only, echoed exactly as given (case kept). */
  mac?: string;
  /** IPv6 DUID. */
  id?: string;
  name?: string;
  ip?: string;
  lease?: LeaseDef;
}

export interface BootpDef {
  file: string;
  server?: string;
}

export interface IpDef {
  /** As written in the family attribute; undefined when it was absent. */
  family?: AddressFamily;
  address?: string;
  /** IPv4 netmask, when given instead of a prefix. */
  netmask?: string;
  /** Prefix length; undefined when not given. */
  prefix?: number;
  localPtr?: boolean;
  tftpRoot?: string;
  /** True when a <dhcp> element was present (even if empty). */
  dhcp: boolean;
  ranges: DhcpRange[];
  hosts: DhcpHost[];
  bootp?: BootpDef;
}

export interface RouteDef {
  family?: AddressFamily;
  address: string;
  netmask?: string;
  prefix?: number;
  gateway: string;
  metric?: number;
}

export interface VlanTag {
  id: number;
  nativeMode?: 'tagged' | 'untagged';
}

export interface VlanDef {
  trunk?: boolean;
  tags: VlanTag[];
}

export interface BandwidthRate {
  average?: number;
  peak?: number;
  floor?: number;
  burst?: number;
}

export interface BandwidthDef {
  classId?: number;
  inbound?: BandwidthRate;
  outbound?: BandwidthRate;
}

export type VirtualPortType = '802.1Qbg' | '802.1Qbh' | 'openvswitch' | 'midonet';

export interface VirtualPortParameters {
  managerId?: number;
  typeId?: number;
  typeIdVersion?: number;
  instanceId?: string;
  profileId?: string;
  interfaceId?: string;
}

export interface VirtualPortDef {
  type?: VirtualPortType;
  parameters?: VirtualPortParameters;
}

export interface PortGroupDef {
  name: string;
  isDefault?: boolean;
  trustGuestRxFilters?: boolean;
  virtualPort?: VirtualPortDef;
  bandwidth?: BandwidthDef;
  vlan?: VlanDef;
}

export interface NetworkDef {
  name: string;
  uuid: string;
  /** True when the uuid came from the document (libvirt: uuid_specified). */
  uuidSpecified: boolean;
  title?: string;
  description?: string;
  metadata?: MetadataDef;
  /** <network connections='N'>, written only in live formatting. 0 = absent. */
  connections: number;
  /** <network ipv6='yes|no'>. */
  ipv6?: boolean;
  trustGuestRxFilters?: boolean;
  forward: ForwardDef;
  bridge: BridgeDef;
  /** <mtu size=...>; 0 = absent. */
  mtu: number;
  /** Lower-case unicast MAC, absent until defaults fill it. */
  mac?: string;
  domain?: DomainDef;
  dns: DnsDef;
  vlan?: VlanDef;
  bandwidth?: BandwidthDef;
  /** <port isolated='yes|no'/>. */
  portIsolated?: boolean;
  ips: IpDef[];
  routes: RouteDef[];
  virtualPort?: VirtualPortDef;
  portGroups: PortGroupDef[];
  /** <dnsmasq:options><dnsmasq:option value=.../></dnsmasq:options>. */
  dnsmasqOptions: string[];
  /** <virtnet:ovn>: the network lives in OVN, across hosts (./ovn-types.ts). */
  ovn?: OvnDef;
  /** <virtnet:forwards> in <metadata>: port forwards into a NAT network (./port-forward-types.ts). */
  portForwards?: PortForwardsDef;
}

/** A definition of network `name` with every required field at its empty value: what the parser starts from. */
export function emptyNetworkDef(name: string, uuid: string, uuidSpecified: boolean): NetworkDef {
  return {
    name,
    uuid,
    uuidSpecified,
    connections: 0,
    forward: { mode: 'none', interfaces: [] },
    bridge: { stp: true, delay: 0 },
    mtu: 0,
    dns: { forwarders: [], txts: [], srvs: [], hosts: [] },
    ips: [],
    routes: [],
    portGroups: [],
    dnsmasqOptions: [],
  };
}

/** Whether virtnet builds a Linux bridge for the network (the modes of VIRTUAL_FORWARD_MODES, unless it lives in OVN). */
export function hasLinuxBridge(def: Pick<NetworkDef, 'forward' | 'ovn'>): boolean {
  return VIRTUAL_FORWARD_MODES.includes(def.forward.mode) && def.ovn === undefined;
}

/** Formatting flags, as libvirt's VIR_NETWORK_XML_INACTIVE. */
export interface FormatOptions {
  /** Leave out connections= and a pf-derived interface pool (net-dumpxml --inactive, saved configs). */
  inactive?: boolean;
}

/** The effective family of an <ip> (the attribute, else guessed from the address). */
export function ipFamily(ip: IpDef): AddressFamily {
  if (ip.family) return ip.family;
  return ip.address?.includes(':') ? 'ipv6' : 'ipv4';
}
