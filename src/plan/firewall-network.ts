/**
 * One network's nftables rules, with libvirt's semantics per forward mode
 * (libvirt's nftables backend: general rules per bridge, then rules per
 * `<ip>`), laid out in virtnet's own chains (see ./firewall.ts):
 *
 * - `in_BR`  (reached by oifname BR): cross-bridge accept, the per-`<ip>`
 *   inbound accepts (nat: established/related only; route: all), reject;
 * - `out_BR` (reached by iifname BR): the per-`<ip>` outbound accepts, reject;
 * - `nat_BR` (reached by source subnet): libvirt's five NAT rules per
 *   masqueraded `<ip>`.
 */
import type { ForwardNat, IpDef, NetworkDef } from '../conf/network/types.js';
import { internalError } from '../util/errors.js';
import { effectivePrefix, formatIp, networkOf, parseIp, subnetsOverlap, type IpAddress } from '../util/ip.js';
import {
  DHCP_CSUM_SET,
  DNAT4_ADDR_MAP,
  DNAT4_KEEP_MAP,
  DNAT4_OPEN_SET,
  DNAT4_SKIP_SET,
  DNAT4_PORT_MAP,
  FWD_IN_MAP,
  FWD_OUT_MAP,
  NAT4_MAP,
  NAT6_MAP,
  NFT_FAMILY,
  NFT_TABLE,
  baseCommands,
  chainObject,
  declareTableCommands,
  requireBaseCommands,
  networkChainNames,
  type NetworkChainNames,
} from './firewall-layout.js';
import {
  accept,
  add,
  batch,
  counter,
  ct,
  del,
  eq,
  flush,
  jump,
  masquerade,
  meta,
  ne,
  match,
  payload,
  prefix,
  range,
  reject,
  ret,
  snat,
  type NftBatch,
  type NftCommand,
  type NftElem,
  type NftMatch,
  type NftPrefix,
  type NftRange,
  type NftStatement,
  type NftValue,
} from './nft-json.js';
import { forwardElements, ownServiceElements, pairs, type ForwardElements } from './firewall-forwards.js';

export interface NetworkFirewallOptions {
  /** The network's bridge (allocated, not a template). Chains and map keys are named after it. */
  bridge: string;
  /**
   * Put the table's base (planFirewallBase) in front of `apply`, so that
   * `apply` works on an empty namespace. Default true; it is idempotent and
   * keeps other networks' elements.
   */
  includeBase?: boolean;
  /** Zero the UDP checksum of DHCPv4 replies leaving the bridge (see ./firewall.ts). Default true. */
  dhcpChecksumFix?: boolean;
}

export interface NetworkFirewallPlan {
  /** Idempotent: running it again (daemon restart, adoption) rebuilds the network's chains in place. */
  apply: NftBatch;
  /** Deletes exactly what `apply` added for this network; safe to run when some or all of it is gone. */
  remove: NftBatch;
  /** The network's chains (empty for open mode and non-virtual modes). */
  chains: string[];
}

/** One `<ip>` reduced to what the rules need: its family and its subnet. */
interface Subnet {
  family: 'ipv4' | 'ipv6';
  network: IpAddress;
  prefix: number;
  /** "192.168.122.0/24" as libvirt prints it. */
  text: string;
}

function subnetOf(ip: IpDef, bridge: string): Subnet | undefined {
  if (ip.address === undefined) return undefined;
  const addr = parseIp(ip.address);
  if (!addr) return undefined;
  const len = effectivePrefix(ip);
  if (len < 0 || len > (addr.family === 'ipv4' ? 32 : 128)) {
    throw internalError(`Invalid prefix or netmask for '${bridge}'`);
  }
  const network = networkOf(addr, len);
  return { family: addr.family, network, prefix: len, text: `${formatIp(network)}/${len}` };
}

/** Whether the network serves DHCPv4 (libvirt: the first IPv4 `<ip>` with ranges or hosts). */
export function hasIpv4Dhcp(def: NetworkDef): boolean {
  return def.ips.some((ip) => {
    const a = ip.address !== undefined ? parseIp(ip.address) : undefined;
    return a?.family === 'ipv4' && (ip.ranges.length > 0 || ip.hosts.length > 0);
  });
}

/** Whether a network of this definition gets firewall rules at all (isolated, nat, route). */
export function needsFirewall(def: NetworkDef): boolean {
  return def.forward.mode === 'none' || def.forward.mode === 'nat' || def.forward.mode === 'route';
}

/** libvirt's virNetworkDefForwardIf(def, 0): the first netdev of the forward pool. */
function forwardDev(def: NetworkDef): string | undefined {
  const first = def.forward.interfaces[0];
  return first && first.type === 'netdev' && first.dev !== '' ? first.dev : undefined;
}

/** libvirt's port range for the tcp/udp masquerade rules: 1024-65535 unless `<nat><port>` is given. */
function natPorts(nat: ForwardNat | undefined): NftRange {
  let start = nat?.portStart ?? 0;
  let end = nat?.portEnd ?? 0;
  if (start === 0 && end === 0) {
    start = 1024;
    end = 65535;
  }
  if (!(start < end && end < 65536)) throw internalError(`Invalid port range '${start}-${end}'.`);
  return range(start, end);
}

const addrKey = (s: Subnet): NftPrefix => prefix(formatIp(s.network), s.prefix);
const proto = (s: Subnet): 'ip' | 'ip6' => (s.family === 'ipv4' ? 'ip' : 'ip6');
const ifMatch = (key: 'iifname' | 'oifname', dev: string | undefined): NftMatch[] => (dev !== undefined ? [eq(meta(key), dev)] : []);

/** The five NAT rules of one masqueraded `<ip>`, in the order they must match. */
function natRules(def: NetworkDef, s: Subnet, dev: string | undefined): NftStatement[][] {
  const p = proto(s);
  const saddr = eq(payload(p, 'saddr'), addrKey(s));
  const leaving = ne(payload(p, 'daddr'), addrKey(s));
  const out = ifMatch('oifname', dev);
  const nat = def.forward.nat;
  const snatStart = nat?.addressStart !== undefined ? parseIp(nat.addressStart) : undefined;
  const snatEnd = nat?.addressEnd !== undefined ? parseIp(nat.addressEnd) : undefined;
  const useSnat = snatStart !== undefined && snatStart.family === s.family;
  const snatAddr = (): string | NftRange =>
    snatEnd !== undefined && snatEnd.family === s.family ? range(formatIp(snatStart!), formatIp(snatEnd)) : formatIp(snatStart!);
  const translate = (ports?: NftRange): NftStatement => (useSnat ? snat(p, snatAddr(), ports) : masquerade(ports));
  const ports = natPorts(nat);

  const rules: NftStatement[][] = [];
  const multicast = s.family === 'ipv4' ? prefix('224.0.0.0', 24) : prefix('ff02::', 16);
  rules.push([...out, saddr, eq(payload(p, 'daddr'), multicast), counter(), ret()]);
  if (s.family === 'ipv4') {
    rules.push([...out, saddr, eq(payload(p, 'daddr'), '255.255.255.255'), counter(), ret()]);
  }
  for (const l4 of ['tcp', 'udp'] as const) {
    rules.push([eq(meta('l4proto'), l4), saddr, leaving, ...out, counter(), translate(ports)]);
  }
  rules.push([saddr, leaving, ...out, counter(), translate()]);
  return rules;
}

interface NetworkRules {
  bridge: string;
  names: NetworkChainNames;
  inRules: NftStatement[][];
  outRules: NftStatement[][];
  natRules: NftStatement[][];
  /** Source subnets that jump to nat_BR, per family, without subnets covered by another one. */
  nat4: NftPrefix[];
  nat6: NftPrefix[];
  csum: boolean;
  forwards: ForwardElements;
  /** The network's own services, which no forward catches (DNAT4_SKIP_SET). */
  services: NftValue[];
}

/** Drop subnets contained in another subnet of the same list (their map element would overlap). */
function outermost(subnets: Subnet[]): Subnet[] {
  return subnets.filter(
    (s, i) =>
      !subnets.some(
        (o, j) => j !== i && subnetsOverlap(s.network, s.prefix, o.network, o.prefix) && (o.prefix < s.prefix || (o.prefix === s.prefix && j < i)),
      ),
  );
}

function networkRules(def: NetworkDef, options: NetworkFirewallOptions): NetworkRules {
  const { bridge } = options;
  const mode = def.forward.mode;
  const dev = forwardDev(def);
  const natIpv6 = def.forward.nat?.ipv6 === true;
  const names = networkChainNames(bridge);
  const hasForwards = (def.portForwards?.forwards.length ?? 0) > 0;

  // libvirt's guest_cross: guests of the same bridge reach each other.
  const inRules: NftStatement[][] = [[eq(meta('iifname'), bridge), counter(), accept()]];
  const outRules: NftStatement[][] = [];
  const nat: NftStatement[][] = [];
  const masqueraded: Subnet[] = [];

  for (const ip of def.ips) {
    const s = subnetOf(ip, bridge);
    if (!s) continue;
    const p = proto(s);
    const masq = mode === 'nat' && (s.family === 'ipv4' || natIpv6);
    const routed = mode === 'route' || (mode === 'nat' && !masq);
    if (!masq && !routed) continue;
    // libvirt's guest_output: traffic from the subnet may leave (through DEV only, if set).
    outRules.push([eq(payload(p, 'saddr'), addrKey(s)), ...ifMatch('oifname', dev), counter(), accept()]);
    if (masq) {
      // libvirt's guest_input for nat: only replies come back in.
      inRules.push([
        ...ifMatch('iifname', dev),
        eq(payload(p, 'daddr'), addrKey(s)),
        match(ct('state'), 'in', ['established', 'related']),
        counter(),
        accept(),
      ]);
      // Hairpin: a guest reaching a port forward of its own network gets the answer through the host.
      if (hasForwards && s.family === 'ipv4') {
        nat.push([match(ct('status'), 'in', 'dnat'), eq(payload(p, 'daddr'), addrKey(s)), counter(), masquerade()]);
      }
      nat.push(...natRules(def, s, dev));
      masqueraded.push(s);
    } else {
      // libvirt's guest_input for route: anything addressed to the subnet comes in.
      inRules.push([eq(payload(p, 'daddr'), addrKey(s)), ...ifMatch('iifname', dev), counter(), accept()]);
    }
  }
  // libvirt's catch-all rejects: nothing else enters or leaves the bridge.
  inRules.push([counter(), reject()]);
  outRules.push([counter(), reject()]);

  const outer = outermost(masqueraded);
  return {
    bridge,
    names,
    inRules,
    outRules,
    natRules: nat,
    nat4: outer.filter((s) => s.family === 'ipv4').map(addrKey),
    nat6: outer.filter((s) => s.family === 'ipv6').map(addrKey),
    csum: options.dhcpChecksumFix !== false && hasIpv4Dhcp(def),
    forwards: forwardElements(def.portForwards?.forwards ?? []),
    services: ownServiceElements(def),
  };
}

const T = { family: NFT_FAMILY, table: NFT_TABLE } as const;

/** The map and set elements that make the base chains reach this network. */
function elementCommands(r: NetworkRules, verb: typeof add | typeof del, withValues: boolean): NftCommand[] {
  const pair = (key: NftElem & (string | NftPrefix), target: string): NftElem => (withValues ? [key, jump(target)] : key);
  const cmds: NftCommand[] = [];
  const bridgeName = r.bridge;
  cmds.push(verb({ element: { ...T, name: FWD_IN_MAP, elem: [pair(bridgeName, r.names.in)] } }));
  cmds.push(verb({ element: { ...T, name: FWD_OUT_MAP, elem: [pair(bridgeName, r.names.out)] } }));
  if (r.nat4.length > 0) {
    cmds.push(verb({ element: { ...T, name: NAT4_MAP, elem: r.nat4.map((k) => pair(k, r.names.nat)) } }));
  }
  if (r.nat6.length > 0) {
    cmds.push(verb({ element: { ...T, name: NAT6_MAP, elem: r.nat6.map((k) => pair(k, r.names.nat)) } }));
  }
  if (r.csum) cmds.push(verb({ element: { ...T, name: DHCP_CSUM_SET, elem: [bridgeName] } }));
  const f = r.forwards;
  const maps: [string, [NftValue, NftValue][]][] = [
    [DNAT4_ADDR_MAP, f.addr],
    [DNAT4_PORT_MAP, f.port],
    [DNAT4_KEEP_MAP, f.keep],
  ];
  for (const [name, list] of maps) if (list.length > 0) cmds.push(verb({ element: { ...T, name, elem: pairs(list, withValues) } }));
  if (f.open.length > 0) cmds.push(verb({ element: { ...T, name: DNAT4_OPEN_SET, elem: f.open } }));
  if (r.services.length > 0) cmds.push(verb({ element: { ...T, name: DNAT4_SKIP_SET, elem: r.services } }));
  return cmds;
}

function chainsOf(r: NetworkRules): Array<[string, NftStatement[][]]> {
  const chains: Array<[string, NftStatement[][]]> = [
    [r.names.in, r.inRules],
    [r.names.out, r.outRules],
  ];
  if (r.natRules.length > 0) chains.push([r.names.nat, r.natRules]);
  return chains;
}

/**
 * Plan one network's rules: `{ apply, remove }` batches for `nft -j -f -`.
 * Open mode and the non-virtual modes (bridge, macvtap, hostdev) get no
 * rules: both batches are empty.
 */
export function planNetworkFirewall(def: NetworkDef, options: NetworkFirewallOptions): NetworkFirewallPlan {
  if (!needsFirewall(def)) return { apply: batch([]), remove: batch([]), chains: [] };
  const r = networkRules(def, options);
  const chains = chainsOf(r);

  const names = chains.map(([name]) => name);
  // Without the base, the batch requires it: it fails as a whole where the base is gone (BASE_MARK_SET).
  const apply: NftCommand[] = options.includeBase === false ? [...declareTableCommands(names), ...requireBaseCommands()] : baseCommands(names);
  for (const [name, rules] of chains) {
    // Declared (added) above; the flush makes a second apply rebuild the chain instead of doubling it.
    apply.push(flush({ chain: chainObject(name) }));
    for (const expr of rules) apply.push(add({ rule: { ...T, chain: name, expr } }));
  }
  // Elements last: the chains they jump to are complete when they become reachable.
  // Adding an element that exists with the same verdict is a no-op, so this is idempotent too.
  apply.push(...elementCommands(r, add, true));

  // Make sure everything exists (no-ops when it does), then delete it: a
  // remove never fails on something already gone, and never leaves a half.
  const remove: NftCommand[] = [...declareTableCommands(names)];
  remove.push(...elementCommands(r, add, true));
  remove.push(...elementCommands(r, del, false));
  for (const name of names) remove.push(del({ chain: chainObject(name) }));

  return { apply: batch(apply), remove: batch(remove), chains: names };
}

/**
 * One remove batch for several plans of the same network (a live update's
 * before and after, for its journal): everything any of them declares, then
 * every element deletion, then every chain deletion, each once, so it still
 * never fails on something already gone. Two remove batches one after the
 * other in one transaction fail: a chain deleted and declared again. Each
 * element is deleted once, in one deletion per map or set: the plans'
 * deletions of a holder may differ and share elements (a forward added,
 * DHCP given), and deleting one element twice fails the transaction.
 */
export function mergeRemoveBatches<C extends object>(...removes: readonly (readonly C[])[]): C[] {
  const adds: C[] = [];
  const elementDeletes = new Map<string, { cmd: C; elems: Map<string, unknown> }>();
  const otherDeletes: C[] = [];
  const seen = new Set<string>();
  for (const cmd of removes.flat()) {
    const key = JSON.stringify(cmd);
    if (seen.has(key)) continue;
    seen.add(key);
    const deleted = (cmd as { delete?: { element?: { family: string; table: string; name: string; elem: unknown[] } } }).delete;
    if (deleted === undefined) adds.push(cmd);
    else if (deleted.element !== undefined) {
      const { family, table, name, elem } = deleted.element;
      const holder = JSON.stringify([family, table, name]);
      const entry = elementDeletes.get(holder) ?? { cmd, elems: new Map<string, unknown>() };
      for (const e of elem) entry.elems.set(JSON.stringify(e), e);
      elementDeletes.set(holder, entry);
    } else otherDeletes.push(cmd);
  }
  const merged = [...elementDeletes.values()].map(({ cmd, elems }) => {
    const { element } = (cmd as { delete: { element: object } }).delete;
    return { ...cmd, delete: { element: { ...element, elem: [...elems.values()] } } } as C;
  });
  return [...adds, ...merged, ...otherDeletes];
}

/** The name of the chain a command adds or deletes, if it is one. */
function chainOf(cmd: object, verb: 'add' | 'delete'): string | undefined {
  const o = (cmd as Record<string, { chain?: { name?: unknown } } | undefined>)[verb];
  const name = o?.chain?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The commands of a remove batch to run in the same transaction before an
 * apply batch (replacing a network's rules): without the deletion of the
 * chains the apply declares again. nft treats the apply's `add chain` as a
 * no-op while the deletion is pending, so both together would leave the
 * chains deleted and the map elements jumping nowhere; the apply flushes and
 * refills them instead.
 */
export function removeBeforeApply<C extends object>(remove: readonly C[], apply: readonly object[]): C[] {
  const redeclared = new Set(apply.flatMap((c) => chainOf(c, 'add') ?? []));
  return remove.filter((c) => {
    const deleted = chainOf(c, 'delete');
    return deleted === undefined || !redeclared.has(deleted);
  });
}
