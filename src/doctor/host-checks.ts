/**
 * `virtnet doctor [NETWORK]`'s host checks: why guests of virtnet's running
 * networks have no network, each finding with a stable code, the evidence
 * read from the kernel and a fix. They run in virtnetd's network namespace
 * (src/doctor/host-doctor.ts gathers what they read); `foreign-forward-drop`
 * and `br-netfilter` are what `doctor --fix` repairs (./fixes.ts).
 */
import type { NetworkDef } from '../conf/network/types.js';
import type { RouteRecord, LinkRecord } from '../host/facts-parse.js';
import { addressFamily } from '../plan/dnsmasq-ip.js';
import { needsDnsmasq } from '../plan/dnsmasq.js';
import type { AddressFamily } from '../util/ip.js';
import { effectivePrefix, parseIp, subnetsOverlap } from '../util/ip.js';
import { type CheckOutcome, type CheckResult, fail, ok, skip, warn } from './checks.js';
import { type FilterTable, type Flow, firewallOwner, forwardVerdict } from './iptables-rules.js';
import type { ForeignChain } from './nft-foreign.js';

/** A running network as the checks see it. */
export interface CheckedNetwork {
  def: NetworkDef;
  bridge: string;
  /** The device its traffic leaves by: `<forward dev>`, else the default route's. */
  uplink?: string;
  /** Whether its dnsmasq (when it needs one) is alive. */
  dnsmasqRunning?: boolean;
}

/** An iptables ruleset of one backend and family, as read. */
export interface IptablesRuleset {
  /** The program that reads and changes it: iptables-nft, iptables-legacy, ip6tables-nft… */
  tool: string;
  family: AddressFamily;
  table: FilterTable;
}

/** A listening socket on port 53 or 67 (from `ss`). */
export interface Listener {
  proto: 'udp' | 'tcp';
  address: string;
  port: number;
  program?: string;
  pid?: number;
}

/** Everything the checks read, gathered once. */
export interface HostView {
  networks: CheckedNetwork[];
  sysctl: (key: string) => string | undefined;
  iptables: IptablesRuleset[];
  foreignNft: ForeignChain[];
  links: LinkRecord[];
  routes: RouteRecord[];
  listeners: Listener[];
  /** Kernel features by name (bridge, nftables, nat, masquerade, fib): whether the kernel has them. */
  features: Record<string, boolean>;
  /** dnsmasq pids of the networks, by network name. */
  dnsmasqPids: Map<string, number>;
}

const ROUTED_MODES = new Set(['nat', 'route', 'open']);
const INBOUND_MODES = new Set(['route', 'open']);

const familiesOf = (def: NetworkDef): Set<AddressFamily> =>
  new Set(def.ips.map((ip) => addressFamily(ip)).filter((f): f is AddressFamily => f !== undefined));

const result = (code: string, title: string, outcome: CheckOutcome): CheckResult => ({ code, title, ...outcome });

const FIX = 'virtnet doctor --fix (accept rules for the bridges; virtnet doctor --undo removes them)';

/** The flows of a network a foreign FORWARD chain decides: out to the uplink, in from it, and, with br_netfilter, guest to guest. */
function networkFlows(net: CheckedNetwork, bridged: boolean): { flow: Flow; what: string; bridged: boolean }[] {
  const flows: { flow: Flow; what: string; bridged: boolean }[] = [];
  const mode = net.def.forward.mode;
  if (ROUTED_MODES.has(mode) && net.uplink !== undefined) {
    flows.push({ flow: { in: net.bridge, out: net.uplink }, what: `from ${net.bridge} to ${net.uplink}`, bridged: false });
    if (INBOUND_MODES.has(mode))
      flows.push({ flow: { in: net.uplink, out: net.bridge }, what: `from ${net.uplink} to ${net.bridge}`, bridged: false });
  }
  if (bridged) flows.push({ flow: { in: net.bridge, out: net.bridge }, what: `between guests on ${net.bridge}`, bridged: true });
  return flows;
}

const OWNER_TEXT: Record<string, string> = { docker: "Docker's", ufw: "ufw's", firewalld: "firewalld's" };

function describeDrop(rs: IptablesRuleset, what: string, decidedBy: string, chains: string[]): string {
  const owner = firewallOwner(rs.table);
  const through = chains.length > 1 ? ` (through ${chains.slice(1).join(', ')})` : '';
  const docker = rs.table.chains.has('DOCKER-USER') ? "; Docker's DOCKER-USER chain has no accept for it" : '';
  return `${rs.tool}${owner ? ` (${OWNER_TEXT[owner]} rules)` : ''}: traffic ${what} ends at ${decidedBy}${through}${docker}`;
}

/** The drops of foreign iptables rules, routed (bridged=false) or between guests of a bridge (bridged=true). */
export function iptablesDrops(view: HostView, bridgedFlows: boolean): { net: CheckedNetwork; text: string; rs: IptablesRuleset }[] {
  const found: { net: CheckedNetwork; text: string; rs: IptablesRuleset }[] = [];
  const brNf = bridgeNfOn(view);
  for (const net of view.networks) {
    const families = familiesOf(net.def);
    for (const rs of view.iptables) {
      // Bridged frames reach iptables whatever the network's addresses; routed ones only in their families.
      for (const f of networkFlows(net, brNf[rs.family])) {
        if (f.bridged !== bridgedFlows) continue;
        if (!f.bridged && !families.has(rs.family)) continue;
        const v = forwardVerdict(rs.table, f.flow);
        if (v && v.verdict !== 'accept') found.push({ net, rs, text: describeDrop(rs, f.what, v.decidedBy, v.chains) });
      }
    }
  }
  return found;
}

function bridgeNfOn(view: HostView): Record<AddressFamily, boolean> {
  return {
    ipv4: view.sysctl('net/bridge/bridge-nf-call-iptables') === '1',
    ipv6: view.sysctl('net/bridge/bridge-nf-call-ip6tables') === '1',
  };
}

function foreignForwardDrop(view: HostView): CheckResult[] {
  const title = 'foreign firewall';
  const drops = iptablesDrops(view, false);
  const nft = view.foreignNft.filter((c) => view.networks.some((n) => ROUTED_MODES.has(n.def.forward.mode) && !c.accepts.has(n.bridge)));
  const out = drops.map((d) => result('foreign-forward-drop', `${title}, network '${d.net.def.name}'`, fail(d.text, FIX)));
  for (const c of nft) {
    out.push(
      result(
        'foreign-forward-drop',
        title,
        fail(
          `nftables table ${c.family} ${c.table} (not virtnet's): its ${c.hook} chain ${c.chain} ${c.why}, and accepts nothing from virtnet's bridges`,
          c.table === 'firewalld' ? `firewall-cmd --zone=trusted --add-interface=BRIDGE, or ${FIX}` : FIX,
        ),
      ),
    );
  }
  if (out.length > 0) return out;
  const routed = view.networks.filter((n) => ROUTED_MODES.has(n.def.forward.mode));
  const tools = view.iptables.map((r) => r.tool).join(', ') || 'no iptables rules';
  return [result('foreign-forward-drop', title, ok(`nothing drops the traffic of ${routed.length} routed network(s) (${tools})`))];
}

function brNetfilter(view: HostView): CheckResult[] {
  const title = 'br_netfilter';
  const v4 = view.sysctl('net/bridge/bridge-nf-call-iptables');
  if (v4 === undefined) return [result('br-netfilter', title, ok('br_netfilter is not loaded: bridged traffic skips iptables'))];
  const drops = iptablesDrops(view, true);
  if (drops.length > 0) {
    return drops.map((d) =>
      result(
        'br-netfilter',
        `${title}, network '${d.net.def.name}'`,
        fail(
          `bridge-nf-call-iptables=${v4}: br_netfilter hands bridged frames to iptables, and ${d.text}`,
          `${FIX}; or sysctl -w net.bridge.bridge-nf-call-iptables=0 if nothing else needs it`,
        ),
      ),
    );
  }
  return [result('br-netfilter', title, ok(`bridge-nf-call-iptables=${v4}; iptables lets bridged guest traffic pass`))];
}

function ipForward(view: HostView): CheckResult[] {
  const title = 'forwarding';
  const routed = view.networks.filter((n) => ROUTED_MODES.has(n.def.forward.mode));
  if (routed.length === 0) return [result('ip-forward-off', title, skip('no running network routes traffic'))];
  const out: CheckResult[] = [];
  const need4 = routed.filter((n) => familiesOf(n.def).has('ipv4'));
  const need6 = routed.filter((n) => familiesOf(n.def).has('ipv6'));
  if (need4.length > 0 && view.sysctl('net/ipv4/ip_forward') !== '1') {
    out.push(
      result(
        'ip-forward-off',
        title,
        fail(
          `net.ipv4.ip_forward=${view.sysctl('net/ipv4/ip_forward') ?? '?'}, so ${need4.map((n) => n.def.name).join(', ')} cannot route`,
          'virtnet doctor --fix (sysctl -w net.ipv4.ip_forward=1)',
        ),
      ),
    );
  }
  if (need6.length > 0 && view.sysctl('net/ipv6/conf/all/forwarding') !== '1') {
    out.push(
      result(
        'ip-forward-off',
        title,
        fail(
          `net.ipv6.conf.all.forwarding=${view.sysctl('net/ipv6/conf/all/forwarding') ?? '?'}, so ${need6.map((n) => n.def.name).join(', ')} cannot route IPv6`,
          'virtnet doctor --fix (sysctl -w net.ipv6.conf.all.forwarding=1)',
        ),
      ),
    );
  }
  return out.length > 0 ? out : [result('ip-forward-off', title, ok('on for the families the running networks route'))];
}

function rpFilter(view: HostView): CheckResult[] {
  const out: CheckResult[] = [];
  for (const net of view.networks) {
    if (!INBOUND_MODES.has(net.def.forward.mode) || net.uplink === undefined) continue;
    const all = Number(view.sysctl('net/ipv4/conf/all/rp_filter') ?? '0');
    const dev = Number(view.sysctl(`net/ipv4/conf/${net.uplink}/rp_filter`) ?? '0');
    const mode = Math.max(all, dev);
    out.push(
      result(
        'rp-filter-strict',
        `reverse path filter, network '${net.def.name}'`,
        mode === 1
          ? warn(
              `rp_filter=1 (strict) on ${net.uplink}: replies to ${net.def.name}'s guests that come back by another path are dropped`,
              `sysctl -w net.ipv4.conf.${net.uplink}.rp_filter=2 (loose), and net.ipv4.conf.all.rp_filter=2 if it is 1`,
            )
          : ok(`rp_filter=${mode} on ${net.uplink}`),
      ),
    );
  }
  return out.length > 0 ? out : [result('rp-filter-strict', 'reverse path filter', skip('no running routed or open network'))];
}

function kernelFeatures(view: HostView): CheckResult[] {
  const missing = Object.entries(view.features)
    .filter(([, has]) => !has)
    .map(([name]) => name);
  const names = Object.keys(view.features).join(', ');
  return [
    result(
      'kernel-feature-missing',
      'kernel features',
      missing.length > 0
        ? fail(
            `this kernel lacks ${missing.join(', ')}`,
            'load the modules (nf_tables, nft_nat/nft_masq, nft_fib, bridge) or use a kernel built with them',
          )
        : ok(`${names}: present`),
    ),
  ];
}

function dnsmasq(view: HostView): CheckResult[] {
  const out: CheckResult[] = [];
  for (const net of view.networks) {
    if (!needsDnsmasq(net.def) || net.def.ovn !== undefined) continue;
    const pid = view.dnsmasqPids.get(net.def.name);
    out.push(
      result(
        'dnsmasq-down',
        `dnsmasq, network '${net.def.name}'`,
        net.dnsmasqRunning
          ? ok(pid !== undefined ? `running (pid ${pid})` : 'running')
          : fail(
              `no dnsmasq runs for ${net.def.name}${pid !== undefined ? ` (pid ${pid} is gone)` : ''}: its guests get no DHCP lease and no DNS`,
              `virsh net-destroy ${net.def.name} && virsh net-start ${net.def.name}; virtnetd's log says why dnsmasq stopped`,
            ),
      ),
    );
  }
  return out;
}

const WILDCARDS = new Set(['0.0.0.0', '*', '::', '[::]']);

function portsTaken(view: HostView): CheckResult[] {
  const ours = new Set(view.dnsmasqPids.values());
  const out: CheckResult[] = [];
  for (const [code, port, what] of [
    ['dns-port-taken', 53, 'DNS'],
    ['dhcp-port-taken', 67, 'DHCP'],
  ] as const) {
    const served = view.networks.filter((n) => needsDnsmasq(n.def) && n.def.ovn === undefined);
    if (served.length === 0) continue;
    const addresses = new Set(served.flatMap((n) => n.def.ips.map((ip) => ip.address ?? '')));
    const foreign = view.listeners.filter(
      (l) =>
        l.port === port &&
        (WILDCARDS.has(l.address) || addresses.has(l.address.replace(/^\[|\]$/g, ''))) &&
        !(l.pid !== undefined && ours.has(l.pid)) &&
        l.program !== undefined &&
        l.program !== 'dnsmasq',
    );
    out.push(
      result(
        code,
        `${what} port ${port}`,
        foreign.length > 0
          ? fail(
              `${foreign.map((l) => `${l.program}${l.pid !== undefined ? ` (pid ${l.pid})` : ''} listens on ${l.proto} ${l.address}:${l.port}`).join('; ')}: the networks' dnsmasq cannot answer ${what} there`,
              `stop that program or make it listen on its own addresses only (e.g. bind-interfaces / listen-address for another dnsmasq)`,
            )
          : ok(`only the networks' dnsmasq listens on port ${port} of their addresses`),
      ),
    );
  }
  return out;
}

function mtu(view: HostView): CheckResult[] {
  const out: CheckResult[] = [];
  for (const net of view.networks) {
    if (!ROUTED_MODES.has(net.def.forward.mode) || net.uplink === undefined) continue;
    const br = view.links.find((l) => l.name === net.bridge);
    const up = view.links.find((l) => l.name === net.uplink);
    if (!br || !up) continue;
    out.push(
      result(
        'mtu-above-uplink',
        `MTU, network '${net.def.name}'`,
        br.mtu > up.mtu
          ? warn(
              `${net.bridge} has MTU ${br.mtu}, above ${net.uplink}'s ${up.mtu}: guests' large packets are dropped or fragmented on the way out`,
              `give the network <mtu size='${up.mtu}'/> (virsh net-edit ${net.def.name}, then restart it)`,
            )
          : ok(`${net.bridge} ${br.mtu} ≤ ${net.uplink} ${up.mtu}`),
      ),
    );
  }
  return out;
}

/** Routes that now take some of a network's subnet away from its bridge. */
function routeOverlap(view: HostView): CheckResult[] {
  const out: CheckResult[] = [];
  for (const net of view.networks) {
    for (const ip of net.def.ips) {
      const addr = ip.address !== undefined ? parseIp(ip.address) : undefined;
      if (!addr) continue;
      const prefix = effectivePrefix(ip);
      const clashing = view.routes.filter((r) => {
        if (r.prefix === 0 || r.dev === net.bridge || r.type === 'local' || r.type === 'broadcast' || r.type === 'multicast') return false;
        const dst = parseIp(r.dst);
        return dst !== undefined && subnetsOverlap(dst, r.prefix, addr, prefix);
      });
      const title = `routes, network '${net.def.name}'`;
      if (clashing.length === 0) {
        out.push(result('route-overlap', title, ok(`${ip.address}/${prefix} is routed to ${net.bridge} only`)));
        continue;
      }
      const text = clashing
        .map((r) => `${r.dst}/${r.prefix}${r.dev ? ` dev ${r.dev}` : ` (${r.type})`}${r.protocol ? ` proto ${r.protocol}` : ''}`)
        .join(', ');
      out.push(
        result(
          'route-overlap',
          title,
          fail(
            `${text} overlaps ${ip.address}/${prefix} on ${net.bridge}: traffic for the guests may leave by the other route`,
            `remove the route (ip route del ${clashing[0]?.dst}/${clashing[0]?.prefix}) or move the network to a free subnet`,
          ),
        ),
      );
    }
  }
  return out;
}

function ipv6Ra(view: HostView): CheckResult[] {
  const out: CheckResult[] = [];
  for (const net of view.networks) {
    if (!ROUTED_MODES.has(net.def.forward.mode) || !familiesOf(net.def).has('ipv6') || net.uplink === undefined) continue;
    const acceptRa = view.sysctl(`net/ipv6/conf/${net.uplink}/accept_ra`);
    const title = `IPv6 router advertisements, network '${net.def.name}'`;
    const raRoutes = view.routes.some((r) => r.family === 'ipv6' && r.dev === net.uplink && r.protocol === 'ra');
    out.push(
      result(
        'ipv6-ra-conflict',
        title,
        acceptRa === '1' && raRoutes
          ? fail(
              `${net.uplink} takes its IPv6 routes from router advertisements (accept_ra=1), which the kernel ignores once ${net.def.name} turns forwarding on: the host loses them`,
              `sysctl -w net.ipv6.conf.${net.uplink}.accept_ra=2`,
            )
          : ok(`accept_ra=${acceptRa ?? '?'} on ${net.uplink}${raRoutes ? '' : ', no routes from router advertisements'}`),
      ),
    );
  }
  return out;
}

/** Every host check, in the order the report lists them. */
export function hostChecks(view: HostView): CheckResult[] {
  const checks = [kernelFeatures, ipForward, foreignForwardDrop, brNetfilter, rpFilter, dnsmasq, portsTaken, mtu, routeOverlap, ipv6Ra];
  return checks.flatMap((check) => {
    try {
      return check(view);
    } catch (e) {
      return [result(check.name, check.name, fail((e as Error).message, 'see the evidence; this check could not complete'))];
    }
  });
}

export type { ForeignChain };
