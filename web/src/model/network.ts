/**
 * A network as the console shows it, made from the model the daemon sends
 * (NetworkDef as JSON, src/conf/network/types.ts): forward mode and
 * devices, bridge, MAC, MTU, domain, DNS, every <ip> with its effective
 * prefix (the daemon's own rule, src/util/ip.ts), DHCP ranges and
 * reservations, static routes and portgroups. No XML is read here.
 */
import type { IpDef, NetworkDef } from '../../../src/conf/network/types.js';
import { ipFamily } from '../../../src/conf/network/types.js';
import { servesDns } from '../../../src/conf/network/validate-served.js';
import { effectivePrefix, formatIp, networkOf, parseIp } from '../../../src/util/ip.js';

export interface DhcpRangeEntry {
  start: string;
  end: string;
}

export interface DhcpHostEntry {
  mac?: string;
  id?: string;
  name?: string;
  ip?: string;
}

export interface IpEntry {
  /** Position among the network's <ip> elements (net-update's parent index). */
  index: number;
  family: 'ipv4' | 'ipv6';
  address?: string;
  prefix?: number;
  netmask?: string;
  /** network/prefix, e.g. 192.168.122.0/24. */
  cidr?: string;
  localPtr?: boolean;
  tftpRoot?: string;
  bootp?: { file?: string; server?: string };
  dhcp: boolean;
  ranges: DhcpRangeEntry[];
  hosts: DhcpHostEntry[];
  /** The <ip> as the daemon sent it (for the daemon's own rules, e.g. dhcpHostAddressProblem). */
  def: IpDef;
}

export interface DnsHostEntry {
  ip: string;
  hostnames: string[];
}

export interface NetworkModel {
  name: string;
  uuid?: string;
  title?: string;
  description?: string;
  connections?: number;
  ipv6Internal?: boolean;
  forward: {
    /** undefined: isolated (no <forward>). */
    mode?: string;
    dev?: string;
    interfaces: string[];
    pf?: string;
    natAddress?: { start?: string; end?: string };
    natPorts?: { start?: string; end?: string };
    natIpv6?: boolean;
  };
  bridge: { name?: string; stp?: string; delay?: string; macTableManager?: string; zone?: string };
  mac?: string;
  mtu?: number;
  domain?: { name: string; localOnly?: string; register?: string };
  dns: {
    enable?: string;
    forwardPlainNames?: string;
    forwarders: { addr?: string; domain?: string }[];
    hosts: DnsHostEntry[];
    txts: { name: string; value?: string }[];
    srvs: { service?: string; protocol?: string; domain?: string; target?: string; port?: string; priority?: string; weight?: string }[];
  };
  /** Whether the network runs a DNS server (a virtual network whose DNS is not disabled). */
  servesDns: boolean;
  ips: IpEntry[];
  routes: { address?: string; prefix?: string; netmask?: string; gateway?: string; family?: string }[];
  portgroups: { name: string; isDefault: boolean }[];
}

const yesNo = (v: boolean | undefined): string | undefined => (v === undefined ? undefined : v ? 'yes' : 'no');
const num = (v: number | undefined): string | undefined => (v === undefined || v === 0 ? undefined : String(v));

/** Drop the keys whose value is undefined, so a view shows only what the definition says. */
function defined<T>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function ipEntry(ip: IpDef, index: number): IpEntry {
  const parsed = ip.address === undefined ? undefined : parseIp(ip.address);
  const p = effectivePrefix(ip);
  const prefix = p > 0 ? p : undefined;
  return defined<IpEntry>({
    index,
    family: ipFamily(ip),
    address: ip.address,
    prefix,
    netmask: ip.netmask,
    cidr: parsed && prefix !== undefined ? `${formatIp(networkOf(parsed, prefix))}/${prefix}` : undefined,
    localPtr: ip.localPtr,
    tftpRoot: ip.tftpRoot,
    bootp: ip.bootp ? defined({ file: ip.bootp.file, server: ip.bootp.server }) : undefined,
    dhcp: ip.dhcp,
    ranges: ip.ranges.map((r) => ({ start: r.start, end: r.end })),
    hosts: ip.hosts.map((h) => defined({ mac: h.mac, id: h.id, name: h.name, ip: h.ip })),
    def: ip,
  });
}

/** The console's view of a network's definition. */
export function toModel(def: NetworkDef): NetworkModel {
  const f = def.forward;
  const devs = f.interfaces.flatMap((i) => (i.type === 'netdev' ? [i.dev] : []));
  const nat = f.nat;
  return defined<NetworkModel>({
    name: def.name,
    uuid: def.uuid,
    title: def.title,
    description: def.description,
    connections: def.connections > 0 ? def.connections : undefined,
    ipv6Internal: def.ipv6,
    forward: defined<NetworkModel['forward']>({
      mode: f.mode === 'none' ? undefined : f.mode,
      dev: devs[0],
      interfaces: devs,
      pf: f.pf,
      natAddress:
        nat && (nat.addressStart !== undefined || nat.addressEnd !== undefined)
          ? defined({ start: nat.addressStart, end: nat.addressEnd })
          : undefined,
      natPorts: nat && (nat.portStart || nat.portEnd) ? defined({ start: num(nat.portStart), end: num(nat.portEnd) }) : undefined,
      natIpv6: nat?.ipv6,
    }),
    bridge: defined<NetworkModel['bridge']>({
      name: def.bridge.name,
      stp: def.bridge.name === undefined ? undefined : def.bridge.stp ? 'on' : 'off',
      delay: def.bridge.name === undefined ? undefined : String(def.bridge.delay),
      macTableManager: def.bridge.macTableManager,
      zone: def.bridge.zone,
    }),
    mac: def.mac,
    mtu: def.mtu > 0 ? def.mtu : undefined,
    domain: def.domain ? defined({ name: def.domain.name, localOnly: yesNo(def.domain.localOnly), register: yesNo(def.domain.register) }) : undefined,
    dns: defined<NetworkModel['dns']>({
      enable: yesNo(def.dns.enable),
      forwardPlainNames: yesNo(def.dns.forwardPlainNames),
      forwarders: def.dns.forwarders.map((x) => defined({ addr: x.addr, domain: x.domain })),
      hosts: def.dns.hosts.map((h) => ({ ip: h.ip, hostnames: [...h.hostnames] })),
      txts: def.dns.txts.map((x) => ({ name: x.name, value: x.value })),
      srvs: def.dns.srvs.map((s) =>
        defined({
          service: s.service,
          protocol: s.protocol,
          domain: s.domain,
          target: s.target,
          port: num(s.port),
          priority: num(s.priority),
          weight: num(s.weight),
        }),
      ),
    }),
    servesDns: servesDns(def),
    ips: def.ips.map(ipEntry),
    routes: def.routes.map((r) =>
      defined({
        address: r.address,
        prefix: r.prefix === undefined ? undefined : String(r.prefix),
        netmask: r.netmask,
        gateway: r.gateway,
        family: r.family,
      }),
    ),
    portgroups: def.portGroups.map((p) => ({ name: p.name, isDefault: p.isDefault === true })),
  });
}

/** The first <ip> of a family. */
export function firstIp(model: NetworkModel | undefined, family: 'ipv4' | 'ipv6'): IpEntry | undefined {
  return model?.ips.find((ip) => ip.family === family);
}
