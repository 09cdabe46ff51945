/**
 * An in-memory model of the kernel state the host touches, for the fake host:
 * namespaces holding links, addresses, static routes, sysctls and nftables
 * tables, plus an interpreter for exactly the `ip -batch` lines link-ops.ts
 * writes. It follows the kernel where the driver's logic depends on it:
 * duplicate names and addresses fail with the kernel's messages, deleting a
 * link takes its addresses, routes, ports and veth peer with it, taking a link
 * down drops its IPv6 addresses and its routes, a bridge with STP on keeps its
 * forward delay within 2…30 s, and an nftables batch is all or nothing.
 *
 * It is a model, not an emulator: what it does not know it rejects loudly
 * ("fake kernel: unsupported line …") so a test never passes by accident.
 */
import { broadcastOf, formatIp, networkOf, parseIp } from '../../src/util/ip.js';
import { toolReason } from '../../src/host/errors.js';
import type { AddressRecord, BridgeData, LinkRecord, RouteRecord, TunData } from '../../src/host/facts-parse.js';
import type { BatchFailure, BatchOutcome, BatchRunner } from '../../src/host/link-transaction.js';
import type { NetnsBinding } from '../../src/host/netns.js';
import type { NftObject } from '../../src/host/nft.js';

export interface FakeLink {
  index: number;
  name: string;
  kind?: string;
  mac: string;
  mtu: number;
  up: boolean;
  master?: string;
  /** macvlan/macvtap parent. */
  parent?: string;
  /** The other end of a veth pair. */
  peer?: { netns: NetnsBinding; name: string };
  bridge?: BridgeData;
  tun?: TunData;
  macvlanMode?: string;
}

export interface FakeAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  dev: string;
  broadcast?: string;
}

export interface FakeRoute {
  family: 'ipv4' | 'ipv6';
  dst: string;
  prefix: number;
  dev: string;
  gateway?: string;
  metric?: number;
}

export interface FakeNamespace {
  links: Map<string, FakeLink>;
  addresses: FakeAddress[];
  routes: FakeRoute[];
  /** /proc/sys paths → values. */
  sysctls: Map<string, string>;
  /** "family name" → the table's objects (table first). */
  nft: Map<string, NftObject[]>;
}

export interface FakeKernelOptions {
  /** Link kinds the kernel knows (ip's names; "tun" covers tap). Default: bridge, veth, tun, macvlan, macvtap, vxlan. */
  linkTypes?: Iterable<string>;
  bridgeVlanFiltering?: boolean;
  /** Whether IPv6 is enabled (its sysctls exist). Default true. */
  ipv6?: boolean;
}

/** A line of `ip -batch` failed: the message is what ip would print. */
class LineError extends Error {}

const fail = (reason: string): never => {
  throw new LineError(reason);
};

const key = (netns: NetnsBinding): string => netns ?? '';

export class FakeKernel {
  readonly namespaces = new Map<string, FakeNamespace>();
  readonly linkTypes: Set<string>;
  readonly bridgeVlanFiltering: boolean;
  readonly ipv6: boolean;
  private nextIndex = 2;
  private nextMac = 1;
  private nextHandle = 1;
  /** Lines to fail on purpose: the first pattern matching a line's text fails it with `reason`. */
  readonly lineFaults: { pattern: RegExp; reason: string; remaining: number }[] = [];
  /** Who watches a namespace's nftables for others' transactions (FakeHost's nft.watchTable). */
  readonly nftWatchers = new Map<string, Set<() => void>>();

  constructor(opts: FakeKernelOptions = {}) {
    this.linkTypes = new Set(opts.linkTypes ?? ['bridge', 'veth', 'tun', 'macvlan', 'macvtap', 'vxlan']);
    this.bridgeVlanFiltering = opts.bridgeVlanFiltering ?? false;
    this.ipv6 = opts.ipv6 ?? true;
  }

  /** The namespace's state, created (with loopback) on first use. */
  ns(netns: NetnsBinding): FakeNamespace {
    let n = this.namespaces.get(key(netns));
    if (!n) {
      n = { links: new Map(), addresses: [], routes: [], sysctls: new Map(), nft: new Map() };
      n.sysctls.set('/proc/sys/net/ipv4/ip_forward', '0');
      if (this.ipv6) {
        for (const dev of ['all', 'default']) {
          for (const [f, v] of Object.entries({ disable_ipv6: '0', accept_ra: '1', autoconf: '1', forwarding: '0' })) {
            n.sysctls.set(`/proc/sys/net/ipv6/conf/${dev}/${f}`, v);
          }
        }
      }
      this.namespaces.set(key(netns), n);
      this.addLink(n, { index: 1, name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536, up: true });
      n.addresses.push({ family: 'ipv4', address: '127.0.0.1', prefix: 8, dev: 'lo' });
    }
    return n;
  }

  /** Whether a named namespace exists (the current one always does). */
  hasNamespace(netns: NetnsBinding): boolean {
    return netns === null || this.namespaces.has(key(netns));
  }

  private randomMac(): string {
    const n = this.nextMac++;
    return `02:fa:00:00:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
  }

  private addLink(n: FakeNamespace, link: FakeLink): void {
    n.links.set(link.name, link);
    n.sysctls.set(`/proc/sys/net/ipv4/conf/${link.name}/forwarding`, '0');
    if (this.ipv6) {
      for (const [f, v] of Object.entries({ disable_ipv6: '0', accept_ra: '1', autoconf: '1', forwarding: '0' })) {
        n.sysctls.set(`/proc/sys/net/ipv6/conf/${link.name}/${f}`, v);
      }
    }
  }

  private removeLink(n: FakeNamespace, name: string): void {
    const link = n.links.get(name);
    if (!link) return;
    n.links.delete(name);
    n.addresses = n.addresses.filter((a) => a.dev !== name);
    n.routes = n.routes.filter((r) => r.dev !== name);
    for (const p of [...n.sysctls.keys()]) if (p.includes(`/conf/${name}/`)) n.sysctls.delete(p);
    for (const other of [...n.links.values()]) {
      if (other.master === name) delete other.master;
      if (other.parent === name) this.removeLink(n, other.name);
    }
    if (link.peer) {
      const peerNs = this.namespaces.get(key(link.peer.netns));
      const peer = peerNs?.links.get(link.peer.name);
      if (peerNs && peer) {
        delete peer.peer;
        this.removeLink(peerNs, peer.name);
      }
    }
  }

  private need(n: FakeNamespace, name: string | undefined): FakeLink {
    const link = name === undefined ? undefined : n.links.get(name);
    return link ?? fail(`Cannot find device "${name}"`);
  }

  /** Run batch lines in a namespace, as `ip [-force] -batch -` would. */
  runBatch(netns: NetnsBinding, lines: readonly (readonly string[])[], force: boolean): BatchOutcome {
    if (!this.hasNamespace(netns)) {
      const stderr = `Cannot open network namespace "${netns}": No such file or directory\n`;
      return { failures: [], known: false, stderr };
    }
    const n = this.ns(netns);
    const failures: BatchFailure[] = [];
    let stderr = '';
    for (const [i, args] of lines.entries()) {
      try {
        const text = args.join(' ');
        const fault = this.lineFaults.find((f) => f.remaining > 0 && f.pattern.test(text));
        if (fault) {
          fault.remaining--;
          fail(fault.reason);
        }
        this.runLine(netns, n, [...args]);
      } catch (e) {
        if (!(e instanceof LineError)) throw e;
        failures.push({ line: i + 1, reason: toolReason(e.message) });
        stderr += `${e.message}\nCommand failed -:${i + 1}\n`;
        if (!force) break;
      }
    }
    return { failures, known: true, stderr };
  }

  private runLine(netns: NetnsBinding, n: FakeNamespace, args: string[]): void {
    const [object, verb] = args;
    const rest = args.slice(2);
    if (object === 'link' && verb === 'add') return this.linkAdd(netns, n, rest);
    if (object === 'link' && verb === 'del') return this.removeLink(n, this.need(n, opt(rest, 'dev')).name);
    if (object === 'link' && verb === 'set') return this.linkSet(netns, n, rest);
    if (object === 'tuntap' && verb === 'add') return this.tapAdd(n, rest);
    if (object === 'addr' && (verb === 'add' || verb === 'del')) return this.addr(n, verb, rest);
    if (object === 'route' && (verb === 'add' || verb === 'del')) return this.route(n, verb, rest);
    throw new Error(`fake kernel: unsupported line '${args.join(' ')}'`);
  }

  private linkAdd(netns: NetnsBinding, n: FakeNamespace, rest: string[]): void {
    const typeAt = rest.indexOf('type');
    const head = typeAt < 0 ? rest : rest.slice(0, typeAt);
    const kind = typeAt < 0 ? undefined : rest[typeAt + 1];
    const tail = typeAt < 0 ? [] : rest.slice(typeAt + 2);
    const name = opt(head, 'name') ?? fail('Not enough information: "dev" argument is required.');
    if (kind === undefined || !this.linkTypes.has(kind)) fail('Error: Unknown device type.');
    if (n.links.has(name)) fail('RTNETLINK answers: File exists');
    const link: FakeLink = {
      index: this.nextIndex++,
      name,
      kind: kind as string,
      mac: opt(head, 'address') ?? this.randomMac(),
      mtu: Number(opt(head, 'mtu') ?? 1500),
      up: false,
    };
    if (kind === 'bridge') {
      const stp = opt(tail, 'stp_state') === '1';
      let delay = Number(opt(tail, 'forward_delay') ?? 1500);
      if (stp) delay = Math.min(3000, Math.max(200, delay));
      if (opt(tail, 'vlan_filtering') === '1' && !this.bridgeVlanFiltering) fail('RTNETLINK answers: Operation not supported');
      link.bridge = {
        stp,
        forwardDelayCs: delay,
        helloTimeCs: 200,
        maxAgeCs: 2000,
        ageingTimeCs: 30000,
        vlanFiltering: opt(tail, 'vlan_filtering') === '1',
        priority: 32768,
        bridgeId: '',
      };
    } else if (kind === 'veth') {
      const peerName = opt(tail, 'name') ?? fail('veth: peer name required');
      const peerNetns = opt(tail, 'netns') ?? netns;
      if (!this.hasNamespace(peerNetns)) fail(`Invalid "netns" value`);
      const pn = this.ns(peerNetns);
      if (pn.links.has(peerName) || (peerNetns === netns && peerName === name)) fail('RTNETLINK answers: File exists');
      const peerMacAt = tail.indexOf('address');
      const peer: FakeLink = {
        index: this.nextIndex++,
        name: peerName,
        kind: 'veth',
        mac: peerMacAt >= 0 ? (tail[peerMacAt + 1] as string) : this.randomMac(),
        mtu: link.mtu,
        up: false,
        peer: { netns, name },
      };
      link.peer = { netns: peerNetns, name: peerName };
      this.addLink(pn, peer);
    } else if (kind === 'macvlan' || kind === 'macvtap') {
      const parent = this.need(n, opt(head, 'link'));
      link.parent = parent.name;
      link.macvlanMode = opt(tail, 'mode') ?? 'vepa';
    }
    this.addLink(n, link);
  }

  private tapAdd(n: FakeNamespace, rest: string[]): void {
    if (!this.linkTypes.has('tun')) fail('open: No such file or directory');
    const name = opt(rest, 'dev') ?? fail('tuntap: no device name');
    if (n.links.has(name)) fail('ioctl(TUNSETIFF): Device or resource busy');
    const tun: TunData = { type: 'tap', persist: true, multiQueue: rest.includes('multi_queue'), vnetHdr: rest.includes('vnet_hdr') };
    const user = opt(rest, 'user');
    const group = opt(rest, 'group');
    if (user !== undefined) tun.user = user;
    if (group !== undefined) tun.group = group;
    this.addLink(n, { index: this.nextIndex++, name, kind: 'tun', mac: this.randomMac(), mtu: 1500, up: false, tun });
  }

  private linkSet(_netns: NetnsBinding, n: FakeNamespace, rest: string[]): void {
    const link = this.need(n, opt(rest, 'dev'));
    const words = rest.slice(2);
    if (words[0] === 'type' && words[1] === 'bridge') {
      if (!link.bridge) fail('RTNETLINK answers: Operation not supported');
      if (opt(words, 'vlan_filtering') !== undefined) {
        if (!this.bridgeVlanFiltering) fail('RTNETLINK answers: Operation not supported');
        (link.bridge as BridgeData).vlanFiltering = opt(words, 'vlan_filtering') === '1';
      }
      return;
    }
    if (words.includes('netns')) {
      const target = opt(words, 'netns') as string;
      const newName = opt(words, 'name') ?? link.name;
      // A number is a process id: the fake takes it to mean the current namespace.
      const targetNs: NetnsBinding = /^\d+$/.test(target) ? null : target;
      if (!this.hasNamespace(targetNs)) fail(`Invalid "netns" value`);
      const tn = this.ns(targetNs);
      if (tn.links.has(newName)) fail('RTNETLINK answers: File exists');
      this.removeLinkKeepPeer(n, link.name);
      const moved: FakeLink = { ...link, name: newName, up: false };
      delete moved.master;
      this.addLink(tn, moved);
      if (moved.peer) {
        const peer = this.namespaces.get(key(moved.peer.netns))?.links.get(moved.peer.name);
        if (peer) peer.peer = { netns: targetNs, name: newName };
      }
      return;
    }
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      const v = words[i + 1];
      switch (w) {
        case 'up':
          link.up = true;
          break;
        case 'down':
          link.up = false;
          n.addresses = n.addresses.filter((a) => a.dev !== link.name || a.family === 'ipv4');
          n.routes = n.routes.filter((r) => r.dev !== link.name);
          break;
        case 'mtu':
          if (Number(v) < 68) fail('Error: mtu less than device minimum.');
          link.mtu = Number(v);
          i++;
          break;
        case 'address':
          link.mac = v as string;
          i++;
          break;
        case 'master': {
          const master = n.links.get(v as string) ?? fail(`Device "${v}" does not exist.`);
          if (master.kind !== 'bridge') fail('RTNETLINK answers: Operation not supported');
          link.master = master.name;
          i++;
          break;
        }
        case 'nomaster':
          delete link.master;
          break;
        default:
          throw new Error(`fake kernel: unsupported link set '${rest.join(' ')}'`);
      }
    }
  }

  /** Take a link out of a namespace without deleting its veth peer (it is moving). */
  private removeLinkKeepPeer(n: FakeNamespace, name: string): void {
    const link = n.links.get(name);
    if (!link) return;
    const peer = link.peer;
    delete link.peer;
    this.removeLink(n, name);
    if (peer) link.peer = peer;
  }

  private addr(n: FakeNamespace, verb: string, rest: string[]): void {
    const [cidrText] = rest;
    const dev = this.need(n, opt(rest, 'dev'));
    const [a, prefix] = splitCidr(cidrText ?? '');
    const fam = a.family;
    const address = formatIp(a);
    const existing = n.addresses.findIndex((x) => x.dev === dev.name && x.address === address && x.prefix === prefix);
    if (verb === 'add') {
      if (n.addresses.some((x) => x.dev === dev.name && x.address === address)) {
        fail(fam === 'ipv4' ? 'Error: ipv4: Address already assigned.' : 'RTNETLINK answers: File exists');
      }
      const rec: FakeAddress = { family: fam, address, prefix, dev: dev.name };
      const brd = opt(rest, 'broadcast');
      if (brd !== undefined) rec.broadcast = brd;
      n.addresses.push(rec);
    } else {
      if (existing < 0) fail(fam === 'ipv4' ? 'RTNETLINK answers: Cannot assign requested address' : 'Error: ipv6: address not found.');
      n.addresses.splice(existing, 1);
    }
  }

  private route(n: FakeNamespace, verb: string, rest: string[]): void {
    const [dstText] = rest;
    const [d, prefix] = splitCidr(dstText ?? '');
    const dev = this.need(n, opt(rest, 'dev'));
    const r: FakeRoute = { family: d.family, dst: formatIp(networkOf(d, prefix)), prefix, dev: dev.name };
    const via = opt(rest, 'via');
    if (via !== undefined) r.gateway = via;
    const metric = opt(rest, 'metric');
    if (metric !== undefined) r.metric = Number(metric);
    const same = (x: FakeRoute): boolean => x.family === r.family && x.dst === r.dst && x.prefix === r.prefix && (x.metric ?? 0) === (r.metric ?? 0);
    if (verb === 'add') {
      if (!dev.up) fail('Error: Nexthop device is not up.');
      if (n.routes.some(same)) fail('RTNETLINK answers: File exists');
      n.routes.push(r);
    } else {
      const at = n.routes.findIndex((x) => same(x) && x.dev === r.dev);
      if (at < 0) fail('RTNETLINK answers: No such process');
      n.routes.splice(at, 1);
    }
  }

  // ---- facts -------------------------------------------------------------

  linkRecords(netns: NetnsBinding): LinkRecord[] {
    return [...this.ns(netns).links.values()]
      .sort((a, b) => a.index - b.index)
      .map((l) => {
        const rec: LinkRecord = {
          index: l.index,
          name: l.name,
          mac: l.mac,
          mtu: l.mtu,
          operstate: l.up ? 'UP' : 'DOWN',
          up: l.up,
          flags: l.name === 'lo' ? ['LOOPBACK', ...(l.up ? ['UP', 'LOWER_UP'] : [])] : ['BROADCAST', 'MULTICAST', ...(l.up ? ['UP'] : [])],
          linkType: l.name === 'lo' ? 'loopback' : 'ether',
        };
        if (l.kind !== undefined) rec.kind = l.kind;
        if (l.master !== undefined) {
          rec.master = l.master;
          rec.slaveKind = 'bridge';
        }
        if (l.parent !== undefined) rec.parent = l.parent;
        if (l.peer) {
          if (l.peer.netns === netns) rec.parent = l.peer.name;
          else rec.parentNetnsId = 0;
        }
        if (l.bridge) rec.bridge = { ...l.bridge };
        if (l.tun) rec.tun = { ...l.tun };
        if (l.macvlanMode !== undefined) rec.macvlanMode = l.macvlanMode;
        return rec;
      });
  }

  addressRecords(netns: NetnsBinding, dev?: string): AddressRecord[] {
    return this.ns(netns)
      .addresses.filter((a) => dev === undefined || a.dev === dev)
      .map((a) => {
        const rec: AddressRecord = {
          family: a.family,
          address: a.address,
          prefix: a.prefix,
          dev: a.dev,
          scope: a.dev === 'lo' ? 'host' : 'global',
          tentative: false,
        };
        if (a.broadcast !== undefined) rec.broadcast = a.broadcast;
        return rec;
      });
  }

  /** Static routes plus the kernel's prefix routes for addresses (IPv4 always, IPv6 when the link is up). */
  routeRecords(netns: NetnsBinding, family?: 'ipv4' | 'ipv6'): RouteRecord[] {
    const n = this.ns(netns);
    const out: RouteRecord[] = [];
    for (const a of n.addresses) {
      if (a.dev === 'lo') continue;
      const link = n.links.get(a.dev);
      if (a.family === 'ipv6' && !link?.up) continue;
      const ip = parseIp(a.address);
      if (!ip) continue;
      const rec: RouteRecord = {
        family: a.family,
        dst: formatIp(networkOf(ip, a.prefix)),
        prefix: a.prefix,
        dev: a.dev,
        type: 'unicast',
        protocol: 'kernel',
        scope: 'link',
      };
      if (a.family === 'ipv4') rec.prefsrc = a.address;
      else rec.metric = 256;
      out.push(rec);
    }
    for (const r of n.routes) {
      const rec: RouteRecord = { family: r.family, dst: r.dst, prefix: r.prefix, dev: r.dev, type: 'unicast', protocol: 'boot' };
      if (r.gateway !== undefined) rec.gateway = r.gateway;
      if (r.metric !== undefined) rec.metric = r.metric;
      out.push(rec);
    }
    return out.filter((r) => family === undefined || r.family === family);
  }

  // ---- nftables ----------------------------------------------------------

  /** A transaction by someone else (`nft flush ruleset` from a shell): applied, then the namespace's watchers are told. */
  nftApplyAsOther(netns: NetnsBinding, commands: readonly NftObject[]): void {
    this.nftApply(netns, commands);
    for (const w of [...(this.nftWatchers.get(key(netns)) ?? [])]) w();
  }

  /** Be told of others' transactions in a namespace. */
  watchNft(netns: NetnsBinding, watcher: () => void): () => void {
    const k = key(netns);
    const set = this.nftWatchers.get(k) ?? new Set();
    set.add(watcher);
    this.nftWatchers.set(k, set);
    return () => set.delete(watcher);
  }

  /** Apply an nftables JSON batch all-or-nothing; returns the echoed objects (adds, with handles). */
  nftApply(netns: NetnsBinding, commands: readonly NftObject[]): NftObject[] {
    const n = this.ns(netns);
    const tables = new Map([...n.nft].map(([k, v]) => [k, structuredClone(v)]));
    const echoed: NftObject[] = [];
    const tableKey = (o: { family?: unknown; table?: unknown; name?: unknown }, isTable: boolean): string =>
      `${String(o.family)} ${String(isTable ? o.name : o.table)}`;
    const noSuch = (): never => {
      throw new Error('Could not process rule: No such file or directory');
    };
    for (const cmd of commands) {
      const [verb, body] = Object.entries(cmd)[0] ?? [];
      const [type, spec] = Object.entries((body ?? {}) as Record<string, Record<string, unknown>>)[0] ?? [];
      if (verb === undefined || type === undefined || spec === undefined) throw new Error('Could not process rule: Invalid argument');
      if (verb === 'add' || verb === 'create' || verb === 'insert') {
        if (type === 'table') {
          const k = tableKey(spec, true);
          if (tables.has(k)) {
            if (verb === 'create') throw new Error('Could not process rule: File exists');
            continue;
          }
          tables.set(k, [{ table: { family: spec.family, name: spec.name, handle: this.nextHandle++ } }]);
          echoed.push({ add: { table: { ...spec } } });
          continue;
        }
        const objs = tables.get(tableKey(spec, false)) ?? noSuch();
        if (type === 'rule' || type === 'element') {
          const target = type === 'rule' ? 'chain' : 'set';
          const parentName = spec[target] ?? spec.name;
          if (
            !objs.some(
              (o) =>
                Object.keys(o)[0] === (type === 'rule' ? 'chain' : 'set') && (Object.values(o)[0] as Record<string, unknown>).name === parentName,
            )
          ) {
            if (type === 'rule' || !objs.some((o) => 'map' in o && (o.map as Record<string, unknown>).name === parentName)) noSuch();
          }
        }
        // Adding a chain, set or map that exists is a no-op, as in nftables.
        if (
          (type === 'chain' || type === 'set' || type === 'map') &&
          objs.some((o) => (o[type] as Record<string, unknown> | undefined)?.name === spec.name)
        )
          continue;
        const withHandle = { ...spec, handle: this.nextHandle++ };
        objs.push({ [type]: withHandle });
        echoed.push({ add: { [type]: withHandle } });
      } else if (verb === 'delete' || verb === 'destroy') {
        if (type === 'table') {
          const k = tableKey(spec, true);
          if (!tables.delete(k) && verb === 'delete') noSuch();
          continue;
        }
        const objs = tables.get(tableKey(spec, false)) ?? noSuch();
        if (type === 'element') {
          // Elements go by key: drop those keys from the set's or map's element objects.
          const keyOf = (e: unknown): string => JSON.stringify(Array.isArray(e) ? e[0] : e);
          const gone = new Set((Array.isArray(spec.elem) ? spec.elem : []).map(keyOf));
          let found = 0;
          for (let i = objs.length - 1; i >= 0; i--) {
            const el = objs[i]?.element as { name?: unknown; elem?: unknown[] } | undefined;
            if (el === undefined || el.name !== spec.name || !Array.isArray(el.elem)) continue;
            const kept = el.elem.filter((e) => !gone.has(keyOf(e)));
            found += el.elem.length - kept.length;
            if (kept.length === 0) objs.splice(i, 1);
            else el.elem = kept;
          }
          if (found < gone.size && verb === 'delete') noSuch();
          continue;
        }
        const at = objs.findIndex((o) => {
          const v = o[type] as Record<string, unknown> | undefined;
          return v !== undefined && (spec.handle !== undefined ? v.handle === spec.handle : v.name === spec.name);
        });
        if (at < 0) {
          if (verb === 'delete') noSuch();
          continue;
        }
        const removed = objs.splice(at, 1)[0] as NftObject;
        if (type === 'chain') {
          const name = (removed.chain as Record<string, unknown>).name;
          for (let i = objs.length - 1; i >= 0; i--) if ((objs[i]?.rule as Record<string, unknown> | undefined)?.chain === name) objs.splice(i, 1);
        }
      } else if (verb === 'flush') {
        if (type === 'ruleset') {
          tables.clear();
          continue;
        }
        const objs = tables.get(tableKey(spec, type === 'table')) ?? noSuch();
        if (type === 'set' || type === 'map') {
          // A set or map that does not exist cannot be flushed; flushing drops its elements.
          if (!objs.some((o) => (o[type] as Record<string, unknown> | undefined)?.name === spec.name)) noSuch();
          for (let i = objs.length - 1; i >= 0; i--)
            if ((objs[i]?.element as Record<string, unknown> | undefined)?.name === spec.name) objs.splice(i, 1);
          continue;
        }
        for (let i = objs.length - 1; i >= 0; i--) {
          const rule = objs[i]?.rule as Record<string, unknown> | undefined;
          if (rule && (type === 'table' || rule.chain === spec.name)) objs.splice(i, 1);
        }
      } else {
        throw new Error(`fake kernel: unsupported nft command '${verb}'`);
      }
    }
    n.nft = tables;
    return echoed;
  }
}

function opt(words: readonly string[], name: string): string | undefined {
  const at = words.indexOf(name);
  return at >= 0 ? words[at + 1] : undefined;
}

function splitCidr(text: string): [NonNullable<ReturnType<typeof parseIp>>, number] {
  const [addr = '', p] = text.split('/');
  const a = parseIp(addr) ?? fail(`Error: any valid prefix is expected rather than "${text}".`);
  const prefix = p === undefined ? (a.family === 'ipv4' ? 32 : 128) : Number(p);
  return [a, prefix];
}

/** The fake kernel as a BatchRunner. */
export class FakeBatchRunner implements BatchRunner {
  readonly batches: { netns: NetnsBinding; lines: string[][]; force: boolean }[] = [];
  constructor(private readonly kernel: FakeKernel) {}
  async runBatch(netns: NetnsBinding, lines: readonly (readonly string[])[], opts: { force: boolean }): Promise<BatchOutcome> {
    this.batches.push({ netns, lines: lines.map((l) => [...l]), force: opts.force });
    return this.kernel.runBatch(netns, lines, opts.force);
  }
}

/** IPv4 broadcast for an address/prefix, as link-ops writes it (handy in tests). */
export function ipv4Broadcast(address: string, prefix: number): string | undefined {
  const a = parseIp(address);
  return a && a.family === 'ipv4' ? formatIp(broadcastOf(a, prefix)) : undefined;
}
