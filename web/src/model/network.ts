/**
 * A network's XML read into what the console shows: forward mode and
 * devices, bridge, MAC, MTU, domain, DNS, every <ip> with its DHCP ranges
 * and reservations, static routes and portgroups. Read with DOMParser from
 * the daemon's own net-dumpxml output, so the shapes are libvirt's.
 */
import { parseIp, prefixFromNetmask, networkOf, formatIp } from '../../../src/util/ip.js';
import { attr, child, children, parseXml, text } from './xml.js';

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
  ips: IpEntry[];
  routes: { address?: string; prefix?: string; netmask?: string; gateway?: string; family?: string }[];
  portgroups: { name: string; isDefault: boolean }[];
}

/** libvirt's effective prefix of an <ip>: prefix, else netmask bits, else classful IPv4 or 64 for IPv6. */
export function effectivePrefix(address: string | undefined, prefix: string | undefined, netmask: string | undefined): number | undefined {
  const p = prefix === undefined ? NaN : Number(prefix);
  if (Number.isInteger(p) && p > 0) return p;
  const mask = netmask === undefined ? undefined : parseIp(netmask);
  if (mask) return prefixFromNetmask(mask);
  const addr = address === undefined ? undefined : parseIp(address);
  if (!addr) return undefined;
  if (addr.family === 'ipv6') return 64;
  const octet = Number(addr.value >> 24n);
  if ((octet & 0x80) === 0) return 8;
  if ((octet & 0xc0) === 0x80) return 16;
  if ((octet & 0xe0) === 0xc0) return 24;
  return undefined;
}

function readIp(el: Element, index: number): IpEntry {
  const address = attr(el, 'address');
  const parsed = address === undefined ? undefined : parseIp(address);
  const family = parsed?.family ?? (attr(el, 'family') === 'ipv6' ? 'ipv6' : 'ipv4');
  const prefix = effectivePrefix(address, attr(el, 'prefix'), attr(el, 'netmask'));
  const dhcp = child(el, 'dhcp');
  const tftp = child(el, 'tftp');
  const bootp = child(dhcp, 'bootp');
  const entry: IpEntry = {
    index,
    family,
    dhcp: dhcp !== undefined,
    ranges: children(dhcp, 'range').map((r) => ({ start: attr(r, 'start') ?? '', end: attr(r, 'end') ?? '' })),
    hosts: children(dhcp, 'host').map((h) => {
      const host: DhcpHostEntry = {};
      for (const k of ['mac', 'id', 'name', 'ip'] as const) {
        const v = attr(h, k);
        if (v !== undefined) host[k] = v;
      }
      return host;
    }),
  };
  if (address !== undefined) entry.address = address;
  if (prefix !== undefined) entry.prefix = prefix;
  const netmask = attr(el, 'netmask');
  if (netmask !== undefined) entry.netmask = netmask;
  if (parsed && prefix !== undefined) entry.cidr = `${formatIp(networkOf(parsed, prefix))}/${prefix}`;
  const localPtr = attr(el, 'localPtr');
  if (localPtr !== undefined) entry.localPtr = localPtr === 'yes';
  const root = attr(tftp, 'root');
  if (root !== undefined) entry.tftpRoot = root;
  if (bootp)
    entry.bootp = {
      ...(attr(bootp, 'file') !== undefined ? { file: attr(bootp, 'file')! } : {}),
      ...(attr(bootp, 'server') !== undefined ? { server: attr(bootp, 'server')! } : {}),
    };
  return entry;
}

export function readNetwork(xml: string): NetworkModel | undefined {
  const { doc } = parseXml(xml);
  const root = doc?.documentElement;
  if (root?.tagName !== 'network') return undefined;
  const fwd = child(root, 'forward');
  const nat = child(fwd, 'nat');
  const bridge = child(root, 'bridge');
  const domain = child(root, 'domain');
  const dns = child(root, 'dns');
  const mtu = attr(child(root, 'mtu'), 'size');
  const connections = attr(root, 'connections');
  const model: NetworkModel = {
    name: text(child(root, 'name')) ?? '',
    forward: {
      interfaces: children(fwd, 'interface')
        .map((i) => attr(i, 'dev') ?? '')
        .filter((d) => d !== ''),
    },
    bridge: {},
    dns: {
      forwarders: children(dns, 'forwarder').map((f) => ({
        ...(attr(f, 'addr') ? { addr: attr(f, 'addr')! } : {}),
        ...(attr(f, 'domain') ? { domain: attr(f, 'domain')! } : {}),
      })),
      hosts: children(dns, 'host').map((h) => ({ ip: attr(h, 'ip') ?? '', hostnames: children(h, 'hostname').map((n) => text(n) ?? '') })),
      txts: children(dns, 'txt').map((t) => ({
        name: attr(t, 'name') ?? '',
        ...(attr(t, 'value') !== undefined ? { value: attr(t, 'value')! } : {}),
      })),
      srvs: children(dns, 'srv').map((s) => {
        const out: NetworkModel['dns']['srvs'][number] = {};
        for (const k of ['service', 'protocol', 'domain', 'target', 'port', 'priority', 'weight'] as const) {
          const v = attr(s, k);
          if (v !== undefined) out[k] = v;
        }
        return out;
      }),
    },
    ips: children(root, 'ip').map(readIp),
    routes: children(root, 'route').map((r) => {
      const out: NetworkModel['routes'][number] = {};
      for (const k of ['address', 'prefix', 'netmask', 'gateway', 'family'] as const) {
        const v = attr(r, k);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }),
    portgroups: children(root, 'portgroup').map((p) => ({ name: attr(p, 'name') ?? '', isDefault: attr(p, 'default') === 'yes' })),
  };
  const uuid = text(child(root, 'uuid'));
  if (uuid) model.uuid = uuid;
  const title = text(child(root, 'title'));
  if (title) model.title = title;
  const description = text(child(root, 'description'));
  if (description) model.description = description;
  if (connections !== undefined) model.connections = Number(connections);
  if (attr(root, 'ipv6') !== undefined) model.ipv6Internal = attr(root, 'ipv6') === 'yes';
  const mode = fwd ? (attr(fwd, 'mode') ?? 'nat') : undefined;
  if (mode !== undefined) model.forward.mode = mode;
  const dev = attr(fwd, 'dev');
  if (dev !== undefined) model.forward.dev = dev;
  const pf = attr(child(fwd, 'pf'), 'dev');
  if (pf !== undefined) model.forward.pf = pf;
  const natAddr = child(nat, 'address');
  if (natAddr)
    model.forward.natAddress = {
      ...(attr(natAddr, 'start') !== undefined ? { start: attr(natAddr, 'start')! } : {}),
      ...(attr(natAddr, 'end') !== undefined ? { end: attr(natAddr, 'end')! } : {}),
    };
  const natPort = child(nat, 'port');
  if (natPort)
    model.forward.natPorts = {
      ...(attr(natPort, 'start') !== undefined ? { start: attr(natPort, 'start')! } : {}),
      ...(attr(natPort, 'end') !== undefined ? { end: attr(natPort, 'end')! } : {}),
    };
  if (attr(nat, 'ipv6') !== undefined) model.forward.natIpv6 = attr(nat, 'ipv6') === 'yes';
  for (const k of ['name', 'stp', 'delay', 'macTableManager', 'zone'] as const) {
    const v = attr(bridge, k);
    if (v !== undefined) model.bridge[k] = v;
  }
  const mac = attr(child(root, 'mac'), 'address');
  if (mac !== undefined) model.mac = mac;
  if (mtu !== undefined) model.mtu = Number(mtu);
  if (domain)
    model.domain = {
      name: attr(domain, 'name') ?? '',
      ...(attr(domain, 'localOnly') ? { localOnly: attr(domain, 'localOnly')! } : {}),
      ...(attr(domain, 'register') ? { register: attr(domain, 'register')! } : {}),
    };
  if (dns) {
    const enable = attr(dns, 'enable');
    if (enable !== undefined) model.dns.enable = enable;
    const fpn = attr(dns, 'forwardPlainNames');
    if (fpn !== undefined) model.dns.forwardPlainNames = fpn;
  }
  return model;
}

/** The first <ip> of a family. */
export function firstIp(model: NetworkModel | undefined, family: 'ipv4' | 'ipv6'): IpEntry | undefined {
  return model?.ips.find((ip) => ip.family === family);
}
