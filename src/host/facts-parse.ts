/**
 * Host facts as typed records, parsed from iproute2's JSON dumps
 * (`ip -j -d link`, `ip -j addr`, `ip -j route`, `ip -j -6 route`). Pure
 * functions: the JSON text goes in, records come out, so they are tested
 * against captured outputs without root.
 *
 * Units are the kernel's: bridge times (forward delay, hello time, max age,
 * ageing time) are in centiseconds (USER_HZ clock ticks), which is what
 * `ip link … type bridge forward_delay N` takes and what libvirt writes to
 * /sys/class/net/BR/bridge/forward_delay (delay seconds × 100).
 */
import type { AddressFamily } from '../conf/network/types.js';
import { VirError } from '../util/errors.js';

export interface BridgeData {
  /** stp_state ≠ 0. */
  stp: boolean;
  /** Forward delay in centiseconds (200 = 2 s). With STP on the kernel keeps it within 200…3000. */
  forwardDelayCs: number;
  helloTimeCs: number;
  maxAgeCs: number;
  ageingTimeCs: number;
  vlanFiltering: boolean;
  priority: number;
  /** e.g. "8000.52:54:0:12:34:56" as the kernel prints it. */
  bridgeId: string;
}

export interface TunData {
  type: 'tun' | 'tap';
  persist: boolean;
  multiQueue: boolean;
  vnetHdr: boolean;
  /** Owning user and group, when set (ip prints names when it can resolve them, numbers otherwise). */
  user?: string;
  group?: string;
}

export interface LinkRecord {
  index: number;
  name: string;
  /** Link kind (`info_kind`): bridge, veth, tun, macvlan, macvtap, vxlan…; absent for physical and loopback devices. */
  kind?: string;
  /** Kind of the master this link is plugged into (`info_slave_kind`), e.g. "bridge". */
  slaveKind?: string;
  /** Name of the bridge (or other master) this link is plugged into. */
  master?: string;
  /** MAC address, lower case. */
  mac: string;
  mtu: number;
  /** Operational state: UP, DOWN, UNKNOWN, LOWERLAYERDOWN… */
  operstate: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  flags: string[];
  /** "ether", "loopback", "none"… */
  linkType: string;
  /** The link this one rides on, in the same namespace: a veth's peer, a macvlan's parent. */
  parent?: string;
  /** Index of that link when it lives in another namespace (then `parent` is absent). */
  parentIndex?: number;
  /** The peer's namespace id as seen from here, when the peer is in another namespace. */
  parentNetnsId?: number;
  bridge?: BridgeData;
  tun?: TunData;
  /** macvlan/macvtap mode: bridge, vepa, private, passthru, source. */
  macvlanMode?: string;
}

export interface AddressRecord {
  family: AddressFamily;
  /** Canonical address text as ip prints it. */
  address: string;
  prefix: number;
  /** The device holding it. */
  dev: string;
  scope: string;
  broadcast?: string;
  /** IPv6 duplicate address detection still running. */
  tentative: boolean;
  /** Peer address (point-to-point), when set. */
  peer?: string;
}

export interface RouteRecord {
  family: AddressFamily;
  /** Destination network address ("0.0.0.0" / "::" for a default route). */
  dst: string;
  prefix: number;
  /** Output device, absent for routes without one (blackhole, unreachable). */
  dev?: string;
  gateway?: string;
  metric?: number;
  /** unicast, local, broadcast, blackhole… */
  type: string;
  /** kernel, boot, static, dhcp, ra… */
  protocol?: string;
  scope?: string;
  table?: string;
  prefsrc?: string;
}

type Json = Record<string, unknown>;

function parseJsonArray(text: string, what: string): Json[] {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (e) {
    throw new VirError('INTERNAL_ERROR', `cannot parse output of '${what}': ${(e as Error).message}`);
  }
  if (!Array.isArray(value)) throw new VirError('INTERNAL_ERROR', `cannot parse output of '${what}': not a JSON array`);
  return value.filter((v): v is Json => typeof v === 'object' && v !== null);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const flag = (v: unknown): boolean => v === true || v === 1;

/** `rec[key] = value` when there is a value; otherwise the optional field stays absent. */
function setDefined<T extends object, K extends keyof T>(rec: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) rec[key] = value;
}

function parseBridgeData(d: Json): BridgeData {
  return {
    stp: (num(d.stp_state) ?? 0) !== 0,
    forwardDelayCs: num(d.forward_delay) ?? 0,
    helloTimeCs: num(d.hello_time) ?? 0,
    maxAgeCs: num(d.max_age) ?? 0,
    ageingTimeCs: num(d.ageing_time) ?? 0,
    vlanFiltering: (num(d.vlan_filtering) ?? 0) !== 0,
    priority: num(d.priority) ?? 0,
    bridgeId: str(d.bridge_id) ?? '',
  };
}

function parseTunData(d: Json): TunData {
  const t: TunData = {
    type: d.type === 'tun' ? 'tun' : 'tap',
    persist: flag(d.persist),
    multiQueue: flag(d.multi_queue),
    vnetHdr: flag(d.vnet_hdr),
  };
  const idText = (v: unknown): string | undefined => (typeof v === 'number' ? String(v) : str(v));
  setDefined(t, 'user', idText(d.user));
  setDefined(t, 'group', idText(d.group));
  return t;
}

/** Parse `ip -j -d link [show …]` output. Without `-d` the kind-specific data is simply absent. */
export function parseLinks(text: string): LinkRecord[] {
  return parseJsonArray(text, 'ip -j -d link').map((l) => {
    const flags = Array.isArray(l.flags) ? l.flags.filter((f): f is string => typeof f === 'string') : [];
    const rec: LinkRecord = {
      index: num(l.ifindex) ?? 0,
      name: str(l.ifname) ?? '',
      mac: (str(l.address) ?? '').toLowerCase(),
      mtu: num(l.mtu) ?? 0,
      operstate: str(l.operstate) ?? 'UNKNOWN',
      up: flags.includes('UP'),
      flags,
      linkType: str(l.link_type) ?? '',
    };
    setDefined(rec, 'master', str(l.master));
    setDefined(rec, 'parent', str(l.link));
    setDefined(rec, 'parentIndex', num(l.link_index));
    setDefined(rec, 'parentNetnsId', num(l.link_netnsid));
    const info = obj(l.linkinfo);
    if (info) {
      const kind = str(info.info_kind);
      setDefined(rec, 'kind', kind);
      setDefined(rec, 'slaveKind', str(info.info_slave_kind));
      const data = obj(info.info_data);
      if (data && kind === 'bridge') rec.bridge = parseBridgeData(data);
      if (data && kind === 'tun') rec.tun = parseTunData(data);
      if (data && (kind === 'macvlan' || kind === 'macvtap')) setDefined(rec, 'macvlanMode', str(data.mode));
    }
    return rec;
  });
}

/** Parse `ip -j addr [show …]` output into one record per address. */
export function parseAddresses(text: string): AddressRecord[] {
  const out: AddressRecord[] = [];
  for (const l of parseJsonArray(text, 'ip -j addr')) {
    const dev = str(l.ifname) ?? '';
    const infos = Array.isArray(l.addr_info) ? l.addr_info : [];
    for (const a of infos) {
      const ai = obj(a);
      if (!ai) continue;
      const fam = str(ai.family);
      const local = str(ai.local);
      if ((fam !== 'inet' && fam !== 'inet6') || local === undefined) continue;
      const rec: AddressRecord = {
        family: fam === 'inet' ? 'ipv4' : 'ipv6',
        address: local,
        prefix: num(ai.prefixlen) ?? 0,
        dev,
        scope: str(ai.scope) ?? 'global',
        tentative: flag(ai.tentative),
      };
      setDefined(rec, 'broadcast', str(ai.broadcast));
      const peer = str(ai.address);
      if (peer !== undefined && peer !== local) rec.peer = peer;
      out.push(rec);
    }
  }
  return out;
}

/** Parse `ip -j [-6] route [show …]` output. `family` is the family that was asked for. */
export function parseRoutes(text: string, family: AddressFamily): RouteRecord[] {
  return parseJsonArray(text, family === 'ipv4' ? 'ip -j route' : 'ip -j -6 route').map((r) => {
    const dstText = str(r.dst) ?? 'default';
    let dst: string;
    let prefix: number;
    if (dstText === 'default') {
      dst = family === 'ipv4' ? '0.0.0.0' : '::';
      prefix = 0;
    } else {
      const slash = dstText.indexOf('/');
      dst = slash < 0 ? dstText : dstText.slice(0, slash);
      prefix = slash < 0 ? (family === 'ipv4' ? 32 : 128) : Number(dstText.slice(slash + 1));
    }
    const rec: RouteRecord = { family, dst, prefix, type: str(r.type) ?? 'unicast' };
    setDefined(rec, 'dev', str(r.dev));
    setDefined(rec, 'gateway', str(r.gateway));
    setDefined(rec, 'metric', num(r.metric));
    setDefined(rec, 'protocol', str(r.protocol));
    setDefined(rec, 'scope', str(r.scope));
    setDefined(rec, 'table', str(r.table));
    setDefined(rec, 'prefsrc', str(r.prefsrc));
    return rec;
  });
}
