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
import { type Phrase, type PlainPhrase, phrase } from '../contract/phrase.js';
import { type CheckOutcome, type CheckResult, crashed, fail, finding, ok, skip, warn } from './checks.js';
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

const result = (code: string, title: Phrase, outcome: CheckOutcome): CheckResult => finding(code, title, outcome);
/** A check's title for one network. */
const forNetwork = (title: PlainPhrase, network: string): Phrase => phrase("{check}, network '{network}'", { check: title, network });

const FIX = phrase('virtnet doctor --fix (accept rules for the bridges; virtnet doctor --undo removes them)');

/** The flows of a network a foreign FORWARD chain decides: out to the uplink, in from it, and, with br_netfilter, guest to guest. */
function networkFlows(net: CheckedNetwork, bridged: boolean): { flow: Flow; what: PlainPhrase; bridged: boolean }[] {
  const flows: { flow: Flow; what: PlainPhrase; bridged: boolean }[] = [];
  const mode = net.def.forward.mode;
  if (ROUTED_MODES.has(mode) && net.uplink !== undefined) {
    flows.push({
      flow: { in: net.bridge, out: net.uplink },
      what: phrase('from {from} to {to}', { from: net.bridge, to: net.uplink }),
      bridged: false,
    });
    if (INBOUND_MODES.has(mode))
      flows.push({
        flow: { in: net.uplink, out: net.bridge },
        what: phrase('from {from} to {to}', { from: net.uplink, to: net.bridge }),
        bridged: false,
      });
  }
  if (bridged)
    flows.push({ flow: { in: net.bridge, out: net.bridge }, what: phrase('between guests on {bridge}', { bridge: net.bridge }), bridged: true });
  return flows;
}

const OWNER_TEXT: Record<string, string> = { docker: 'Docker', ufw: 'ufw', firewalld: 'firewalld' };

/** A drop, as the values of the findings that say it. */
type DropParams = Record<string, string | PlainPhrase>;

function describeDrop(rs: IptablesRuleset, what: PlainPhrase, decidedBy: string, chains: string[]): DropParams {
  const owner = firewallOwner(rs.table);
  return {
    tool: rs.tool,
    owner: owner ? phrase(" ({owner}'s rules)", { owner: OWNER_TEXT[owner] ?? owner }) : '',
    what,
    decidedBy,
    through: chains.length > 1 ? phrase(' (through {chains})', { chains: chains.slice(1).join(', ') }) : '',
    docker: rs.table.chains.has('DOCKER-USER') ? phrase("; Docker's DOCKER-USER chain has no accept for it") : '',
  };
}

/** The drops of foreign iptables rules, routed (bridged=false) or between guests of a bridge (bridged=true). */
export function iptablesDrops(view: HostView, bridgedFlows: boolean): { net: CheckedNetwork; drop: DropParams; rs: IptablesRuleset }[] {
  const found: { net: CheckedNetwork; drop: DropParams; rs: IptablesRuleset }[] = [];
  const brNf = bridgeNfOn(view);
  for (const net of view.networks) {
    const families = familiesOf(net.def);
    for (const rs of view.iptables) {
      // Bridged frames reach iptables whatever the network's addresses; routed ones only in their families.
      for (const f of networkFlows(net, brNf[rs.family])) {
        if (f.bridged !== bridgedFlows) continue;
        if (!f.bridged && !families.has(rs.family)) continue;
        const v = forwardVerdict(rs.table, f.flow);
        if (v && v.verdict !== 'accept') found.push({ net, rs, drop: describeDrop(rs, f.what, v.decidedBy, v.chains) });
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
  const title = phrase('foreign firewall');
  const drops = iptablesDrops(view, false);
  const nft = view.foreignNft.filter((c) => view.networks.some((n) => ROUTED_MODES.has(n.def.forward.mode) && !c.accepts.has(n.bridge)));
  const out = drops.map((d) =>
    result(
      'foreign-forward-drop',
      forNetwork(title, d.net.def.name),
      fail(phrase('{tool}{owner}: traffic {what} ends at {decidedBy}{through}{docker}', d.drop), FIX),
    ),
  );
  for (const c of nft) {
    out.push(
      result(
        'foreign-forward-drop',
        title,
        fail(
          phrase("nftables table {family} {table} (not virtnet's): its {hook} chain {chain} {why}, and accepts nothing from virtnet's bridges", {
            family: c.family,
            table: c.table,
            hook: c.hook,
            chain: c.chain,
            why: c.why,
          }),
          c.table === 'firewalld' ? phrase('firewall-cmd --zone=trusted --add-interface=BRIDGE, or {fix}', { fix: FIX }) : FIX,
        ),
      ),
    );
  }
  if (out.length > 0) return out;
  const routed = view.networks.filter((n) => ROUTED_MODES.has(n.def.forward.mode));
  const tools = view.iptables.length > 0 ? view.iptables.map((r) => r.tool).join(', ') : phrase('no iptables rules');
  return [
    result(
      'foreign-forward-drop',
      title,
      ok(phrase('nothing drops the traffic of {count} routed network(s) ({tools})', { count: routed.length, tools })),
    ),
  ];
}

function brNetfilter(view: HostView): CheckResult[] {
  const title = phrase('br_netfilter');
  const v4 = view.sysctl('net/bridge/bridge-nf-call-iptables');
  if (v4 === undefined) return [result('br-netfilter', title, ok(phrase('br_netfilter is not loaded: bridged traffic skips iptables')))];
  const drops = iptablesDrops(view, true);
  if (drops.length > 0) {
    return drops.map((d) =>
      result(
        'br-netfilter',
        forNetwork(title, d.net.def.name),
        fail(
          phrase(
            'bridge-nf-call-iptables={value}: br_netfilter hands bridged frames to iptables, and {tool}{owner}: traffic {what} ends at {decidedBy}{through}{docker}',
            {
              value: v4,
              ...d.drop,
            },
          ),
          phrase('{fix}; or sysctl -w net.bridge.bridge-nf-call-iptables=0 if nothing else needs it', { fix: FIX }),
        ),
      ),
    );
  }
  return [result('br-netfilter', title, ok(phrase('bridge-nf-call-iptables={value}; iptables lets bridged guest traffic pass', { value: v4 })))];
}

function ipForward(view: HostView): CheckResult[] {
  const title = phrase('forwarding');
  const routed = view.networks.filter((n) => ROUTED_MODES.has(n.def.forward.mode));
  if (routed.length === 0) return [result('ip-forward-off', title, skip(phrase('no running network routes traffic')))];
  const out: CheckResult[] = [];
  const need4 = routed.filter((n) => familiesOf(n.def).has('ipv4'));
  const need6 = routed.filter((n) => familiesOf(n.def).has('ipv6'));
  if (need4.length > 0 && view.sysctl('net/ipv4/ip_forward') !== '1') {
    out.push(
      result(
        'ip-forward-off',
        title,
        fail(
          phrase('net.ipv4.ip_forward={value}, so {networks} cannot route', {
            value: view.sysctl('net/ipv4/ip_forward') ?? '?',
            networks: need4.map((n) => n.def.name).join(', '),
          }),
          phrase('virtnet doctor --fix (sysctl -w net.ipv4.ip_forward=1)'),
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
          phrase('net.ipv6.conf.all.forwarding={value}, so {networks} cannot route IPv6', {
            value: view.sysctl('net/ipv6/conf/all/forwarding') ?? '?',
            networks: need6.map((n) => n.def.name).join(', '),
          }),
          phrase('virtnet doctor --fix (sysctl -w net.ipv6.conf.all.forwarding=1)'),
        ),
      ),
    );
  }
  return out.length > 0 ? out : [result('ip-forward-off', title, ok(phrase('on for the families the running networks route')))];
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
        forNetwork(phrase('reverse path filter'), net.def.name),
        mode === 1
          ? warn(
              phrase("rp_filter=1 (strict) on {dev}: replies to {network}'s guests that come back by another path are dropped", {
                dev: net.uplink,
                network: net.def.name,
              }),
              phrase('sysctl -w net.ipv4.conf.{dev}.rp_filter=2 (loose), and net.ipv4.conf.all.rp_filter=2 if it is 1', { dev: net.uplink }),
            )
          : ok(phrase('rp_filter={value} on {dev}', { value: mode, dev: net.uplink })),
      ),
    );
  }
  return out.length > 0 ? out : [result('rp-filter-strict', phrase('reverse path filter'), skip(phrase('no running routed or open network')))];
}

function kernelFeatures(view: HostView): CheckResult[] {
  const missing = Object.entries(view.features)
    .filter(([, has]) => !has)
    .map(([name]) => name);
  const names = Object.keys(view.features).join(', ');
  return [
    result(
      'kernel-feature-missing',
      phrase('kernel features'),
      missing.length > 0
        ? fail(
            phrase('this kernel lacks {features}', { features: missing.join(', ') }),
            phrase('load the modules (nf_tables, nft_nat/nft_masq, nft_fib, bridge) or use a kernel built with them'),
          )
        : ok(phrase('{features}: present', { features: names })),
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
        forNetwork(phrase('dnsmasq'), net.def.name),
        net.dnsmasqRunning
          ? ok(pid !== undefined ? phrase('running (pid {pid})', { pid }) : phrase('running'))
          : fail(
              phrase('no dnsmasq runs for {network}{gone}: its guests get no DHCP lease and no DNS', {
                network: net.def.name,
                gone: pid !== undefined ? phrase(' (pid {pid} is gone)', { pid }) : '',
              }),
              phrase("virsh net-destroy {network} && virsh net-start {network}; virtnetd's log says why dnsmasq stopped", { network: net.def.name }),
            ),
      ),
    );
  }
  return out;
}

/** Who listens where, as the port checks say it. */
function listening(found: Listener[]): PlainPhrase {
  const params = {
    programs: found.map((l) => `${l.program}${l.pid !== undefined ? ` (pid ${l.pid})` : ''}`).join(', '),
    sockets: found.map((l) => `${l.proto} ${l.address}:${l.port}`).join(', '),
  };
  return found.length === 1 ? phrase('{programs} listens on {sockets}', params) : phrase('{programs} listen on {sockets}', params);
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
        phrase('{service} port {port}', { service: what, port }),
        foreign.length > 0
          ? fail(
              phrase("{listeners}: the networks' dnsmasq cannot answer {service} there", {
                listeners: listening(foreign),
                service: what,
              }),
              phrase('stop that program or make it listen on its own addresses only (e.g. bind-interfaces / listen-address for another dnsmasq)'),
            )
          : ok(phrase("only the networks' dnsmasq listens on port {port} of their addresses", { port })),
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
        forNetwork(phrase('MTU'), net.def.name),
        br.mtu > up.mtu
          ? warn(
              phrase("{bridge} has MTU {mtu}, above {uplink}'s {uplinkMtu}: guests' large packets are dropped or fragmented on the way out", {
                bridge: net.bridge,
                mtu: br.mtu,
                uplink: net.uplink,
                uplinkMtu: up.mtu,
              }),
              phrase("give the network <mtu size='{mtu}'/> (virsh net-edit {network}, then restart it)", { mtu: up.mtu, network: net.def.name }),
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
      const title = forNetwork(phrase('routes'), net.def.name);
      if (clashing.length === 0) {
        out.push(
          result(
            'route-overlap',
            title,
            ok(phrase('{subnet} is routed to {bridge} only', { subnet: `${ip.address}/${prefix}`, bridge: net.bridge })),
          ),
        );
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
            phrase('{routes} overlaps {subnet} on {bridge}: traffic for the guests may leave by the other route', {
              routes: text,
              subnet: `${ip.address}/${prefix}`,
              bridge: net.bridge,
            }),
            phrase('remove the route (ip route del {route}) or move the network to a free subnet', {
              route: `${clashing[0]?.dst}/${clashing[0]?.prefix}`,
            }),
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
    const title = forNetwork(phrase('IPv6 router advertisements'), net.def.name);
    const raRoutes = view.routes.some((r) => r.family === 'ipv6' && r.dev === net.uplink && r.protocol === 'ra');
    out.push(
      result(
        'ipv6-ra-conflict',
        title,
        acceptRa === '1' && raRoutes
          ? fail(
              phrase(
                '{dev} takes its IPv6 routes from router advertisements (accept_ra=1), which the kernel ignores once {network} turns forwarding on: the host loses them',
                { dev: net.uplink, network: net.def.name },
              ),
              `sysctl -w net.ipv6.conf.${net.uplink}.accept_ra=2`,
            )
          : ok(
              phrase('accept_ra={value} on {dev}{none}', {
                value: acceptRa ?? '?',
                dev: net.uplink,
                none: raRoutes ? '' : phrase(', no routes from router advertisements'),
              }),
            ),
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
      return [result(check.name, phrase(check.name), crashed(e))];
    }
  });
}

export type { ForeignChain };
