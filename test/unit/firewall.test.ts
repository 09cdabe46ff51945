import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ForwardMode, ForwardNat, IpDef, NetworkDef } from '../../src/conf/network/types.js';
import type { PortForwardDef } from '../../src/conf/network/port-forward-types.js';
import { detectFirewallConflicts, mergeRemoveBatches, planFirewallBase, planFirewallTeardown, planNetworkFirewall } from '../../src/plan/firewall.js';
import type { NftBatch, NftCommand, NftElem, NftStatement, NftValue } from '../../src/plan/nft-json.js';
import { VirError } from '../../src/util/errors.js';
import { CORPUS_DIR } from '../support/corpus-dir.js';
import { minimalNetworkDef } from './support/network-def.js';

// ---------------------------------------------------------------------------
// Fixtures: NetworkDef values built by hand.

interface IpSpec {
  address: string;
  prefix?: number;
  netmask?: string;
  family?: 'ipv4' | 'ipv6';
  dhcp?: boolean;
  tftp?: boolean;
}

function ipDef(s: IpSpec): IpDef {
  return {
    ...(s.family !== undefined ? { family: s.family } : {}),
    address: s.address,
    ...(s.prefix !== undefined ? { prefix: s.prefix } : {}),
    ...(s.netmask !== undefined ? { netmask: s.netmask } : {}),
    ...(s.tftp ? { tftpRoot: '/some/dir' } : {}),
    dhcp: s.dhcp === true,
    ranges: s.dhcp ? [{ start: s.address, end: s.address }] : [],
    hosts: [],
  };
}

function netDef(opts: { mode: ForwardMode; ips: IpSpec[]; dev?: string; nat?: Partial<ForwardNat>; ipv6?: boolean; name?: string }): NetworkDef {
  return minimalNetworkDef({
    name: opts.name ?? 'default',
    uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
    ...(opts.ipv6 !== undefined ? { ipv6: opts.ipv6 } : {}),
    forward: {
      mode: opts.mode,
      interfaces: opts.dev ? [{ type: 'netdev', dev: opts.dev, connections: 0 }] : [],
      ...(opts.nat ? { nat: { portStart: 0, portEnd: 0, ...opts.nat } } : {}),
    },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    ips: opts.ips.map(ipDef),
  });
}

/** virbr0's out_ chain: `accepts`, then the reject every out_ chain ends with. */
const outChain = (...accepts: string[]): string[] => [...accepts, 'counter reject'];
/** virbr0's in_ chain: what comes from the bridge itself, `accepts`, then the reject every in_ chain ends with. */
const inChain = (...accepts: string[]): string[] => ['iifname virbr0 counter accept', ...accepts, 'counter reject'];

const V4 = { address: '192.168.122.1', netmask: '255.255.255.0', dhcp: true };
const V4B = { address: '192.168.128.1', netmask: '255.255.255.0' };
const V6 = { family: 'ipv6' as const, address: '2001:db8:ca2:2::1', prefix: 64, dhcp: true };

// ---------------------------------------------------------------------------
// Reading batches: a small renderer to nft's own rule syntax, so assertions
// read like `nft list ruleset`.

function value(v: NftValue): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.join(',');
  if ('prefix' in v) return `${v.prefix.addr}/${v.prefix.len}`;
  if ('range' in v) return `${value(v.range[0])}-${value(v.range[1])}`;
  if ('set' in v) return `{ ${v.set.map(value).join(', ')} }`;
  if ('jump' in v) return `jump ${v.jump.target}`;
  if ('goto' in v) return `goto ${v.goto.target}`;
  if ('concat' in v)
    return v.concat
      .map((c) =>
        typeof c === 'object' && !Array.isArray(c) && ('payload' in c || 'meta' in c || 'ct' in c || 'fib' in c) ? key(c) : value(c as NftValue),
      )
      .join(' . ');
  return Object.keys(v)[0]!;
}

function key(k: object): string {
  if ('payload' in k) {
    const p = (k as { payload: { protocol: string; field: string } }).payload;
    return `${p.protocol} ${p.field}`;
  }
  if ('meta' in k) {
    const m = (k as { meta: { key: string } }).meta.key;
    return m === 'iifname' || m === 'oifname' ? m : `meta ${m}`;
  }
  if ('fib' in k) return `fib ${(k as { fib: { flags: string[] } }).fib.flags.join(' . ')} type`;
  if ('concat' in k) return value(k as NftValue);
  return `ct ${(k as { ct: { key: string } }).ct.key}`;
}

function lookup(l: string | number | { map: { key: object; data: string } }): string {
  return typeof l === 'object' ? `${key(l.map.key)} map ${l.map.data}` : String(l);
}

function statement(s: NftStatement): string {
  if ('match' in s) {
    const op = s.match.op === '==' || s.match.op === 'in' ? '' : `${s.match.op} `;
    return `${key(s.match.left)} ${op}${value(s.match.right)}`;
  }
  if ('counter' in s) return 'counter';
  if ('vmap' in s) return `${key(s.vmap.key)} vmap ${s.vmap.data}`;
  if ('reject' in s) return 'reject';
  if ('masquerade' in s) return s.masquerade?.port ? `masquerade to :${value(s.masquerade.port as NftValue)}` : 'masquerade';
  if ('snat' in s) {
    const port = s.snat.port !== undefined ? `:${value(s.snat.port as NftValue)}` : '';
    return `snat ${s.snat.family} to ${value(s.snat.addr)}${port}`;
  }
  if ('mangle' in s) return `${key(s.mangle.key)} set ${value(s.mangle.value)}`;
  if ('dnat' in s) return `dnat ${s.dnat.family} to ${lookup(s.dnat.addr)}${s.dnat.port !== undefined ? ` : ${lookup(s.dnat.port)}` : ''}`;
  return value(s as NftValue);
}

const show = (expr: NftStatement[]): string => expr.map(statement).join(' ');

function verbOf(c: NftCommand): 'add' | 'delete' | 'flush' {
  return Object.keys(c)[0] as 'add' | 'delete' | 'flush';
}
function objectOf(c: NftCommand): [string, Record<string, unknown>] {
  const o = Object.values(c)[0] as unknown as Record<string, Record<string, unknown>>;
  const kind = Object.keys(o)[0]!;
  return [kind, o[kind]!];
}

/** The rules added to `chain`, in batch order, as text. */
function rules(b: NftBatch, chain: string): string[] {
  return b.nftables.flatMap((c) => {
    const [kind, o] = objectOf(c);
    return verbOf(c) === 'add' && kind === 'rule' && o.chain === chain ? [show(o.expr as NftStatement[])] : [];
  });
}

/** Elements added or deleted in map/set `name`, as text ("key : jump target" or "key"). */
function elements(b: NftBatch, verb: 'add' | 'delete', name: string): string[] {
  return b.nftables.flatMap((c) => {
    const [kind, o] = objectOf(c);
    if (verbOf(c) !== verb || kind !== 'element' || o.name !== name) return [];
    return (o.elem as NftElem[]).map((e) =>
      Array.isArray(e) && e.length === 2 && (typeof e[0] === 'object' || (typeof e[1] === 'object' && !Array.isArray(e[1])))
        ? `${value(e[0] as NftValue)} : ${value(e[1] as NftValue)}`
        : value(e as NftValue),
    );
  });
}

/** "verb kind name" for every command (rules as "add rule CHAIN"). */
function commandList(b: NftBatch): string[] {
  return b.nftables.map((c) => {
    const [kind, o] = objectOf(c);
    const name = kind === 'rule' ? o.chain : o.name;
    return `${verbOf(c)} ${kind} ${String(name)}`;
  });
}

// ---------------------------------------------------------------------------

describe('planFirewallBase', () => {
  const base = planFirewallBase();

  it('touches only table inet virtnet', () => {
    for (const c of base.nftables) {
      const [kind, o] = objectOf(c);
      if (kind === 'table') expect(o).toMatchObject({ family: 'inet', name: 'virtnet' });
      else expect(o).toMatchObject({ family: 'inet', table: 'virtnet' });
    }
  });

  it('declares the base chains on the forward, postrouting (nat), output, and (nat) prerouting and output hooks, policy accept', () => {
    const chains = base.nftables.flatMap((c) => {
      const [kind, o] = objectOf(c);
      return verbOf(c) === 'add' && kind === 'chain' ? [o] : [];
    });
    expect(chains).toEqual([
      { family: 'inet', table: 'virtnet', name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' },
      { family: 'inet', table: 'virtnet', name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' },
      { family: 'inet', table: 'virtnet', name: 'output', type: 'filter', hook: 'output', prio: 0, policy: 'accept' },
      { family: 'inet', table: 'virtnet', name: 'prerouting', type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' },
      { family: 'inet', table: 'virtnet', name: 'output_dnat', type: 'nat', hook: 'output', prio: -100, policy: 'accept' },
    ]);
  });

  it('dispatches through verdict maps keyed by interface name and by source subnet', () => {
    expect(rules(base, 'forward')).toEqual([
      'ct status dnat ip daddr . meta l4proto . th dport @dnat4_open accept',
      'oifname vmap @fwd_in',
      'iifname vmap @fwd_out',
    ]);
    expect(rules(base, 'postrouting')).toEqual(['ip saddr vmap @nat4', 'ip6 saddr vmap @nat6']);
    const key = ['ipv4_addr', 'inet_proto', 'inet_service'];
    const maps = base.nftables.flatMap((c) => (objectOf(c)[0] === 'map' ? [objectOf(c)[1]] : []));
    expect(maps.map((m) => [m.name, m.type, m.map, m.flags])).toEqual([
      ['fwd_in', 'ifname', 'verdict', undefined],
      ['fwd_out', 'ifname', 'verdict', undefined],
      ['nat4', 'ipv4_addr', 'verdict', ['interval']],
      ['nat6', 'ipv6_addr', 'verdict', ['interval']],
      ['dnat4_addr', key, 'ipv4_addr', ['interval']],
      ['dnat4_port', key, 'inet_service', ['interval']],
      ['dnat4_keep', key, 'ipv4_addr', ['interval']],
    ]);
  });

  it('port forwards: DNAT by listen address . protocol . port, from outside and from the host, in constant rules', () => {
    const dnat = [
      'meta l4proto { tcp, udp } fib daddr type local ip daddr != 127.0.0.0/8 ip daddr . meta l4proto . th dport != @dnat4_skip dnat ip to ip daddr . meta l4proto . th dport map @dnat4_addr : ip daddr . meta l4proto . th dport map @dnat4_port',
      'meta l4proto { tcp, udp } fib daddr type local ip daddr != 127.0.0.0/8 ip daddr . meta l4proto . th dport != @dnat4_skip dnat ip to ip daddr . meta l4proto . th dport map @dnat4_keep',
    ];
    expect(rules(base, 'prerouting')).toEqual(dnat);
    expect(rules(base, 'output_dnat')).toEqual(dnat);
  });

  it('zeroes the UDP checksum of DHCPv4 replies leaving a bridge of the dhcp_csum set', () => {
    expect(rules(base, 'output')).toEqual(['meta nfproto ipv4 oifname @dhcp_csum udp sport 67 udp dport 68 udp checksum set 0']);
  });

  it('is idempotent: every base chain is flushed before its rules are added, and nothing is deleted', () => {
    const cmds = commandList(base);
    for (const chain of ['forward', 'postrouting', 'output', 'prerouting', 'output_dnat']) {
      const flushAt = cmds.indexOf(`flush chain ${chain}`);
      expect(flushAt).toBeGreaterThan(cmds.indexOf(`add chain ${chain}`));
      expect(flushAt).toBeLessThan(cmds.indexOf(`add rule ${chain}`));
    }
    expect(cmds.filter((c) => c.startsWith('delete'))).toEqual([]);
    // Maps and sets are added, never flushed: running networks keep their elements.
    expect(cmds.filter((c) => /^flush (map|set)/.test(c))).toEqual([]);
  });

  it('teardown removes the whole table even if it is absent (add, then delete)', () => {
    expect(commandList(planFirewallTeardown())).toEqual(['add table virtnet', 'delete table virtnet']);
  });
});

describe('planNetworkFirewall: isolated', () => {
  const plan = planNetworkFirewall(netDef({ mode: 'none', ips: [V4, V6] }), { bridge: 'virbr0' });

  it('accepts traffic across the bridge and rejects everything else in or out', () => {
    expect(rules(plan.apply, 'in_virbr0')).toEqual(inChain());
    expect(rules(plan.apply, 'out_virbr0')).toEqual(outChain());
    expect(plan.chains).toEqual(['in_virbr0', 'out_virbr0']);
  });

  it('is reached through one element per interface map, and has no NAT', () => {
    expect(elements(plan.apply, 'add', 'fwd_in')).toEqual(['virbr0 : jump in_virbr0']);
    expect(elements(plan.apply, 'add', 'fwd_out')).toEqual(['virbr0 : jump out_virbr0']);
    expect(elements(plan.apply, 'add', 'nat4')).toEqual([]);
    expect(elements(plan.apply, 'add', 'nat6')).toEqual([]);
    expect(rules(plan.apply, 'nat_virbr0')).toEqual([]);
  });

  it('puts a bridge serving DHCPv4 in the checksum set, unless the fix is turned off', () => {
    expect(elements(plan.apply, 'add', 'dhcp_csum')).toEqual(['virbr0']);
    const off = planNetworkFirewall(netDef({ mode: 'none', ips: [V4] }), { bridge: 'virbr0', dhcpChecksumFix: false });
    expect(elements(off.apply, 'add', 'dhcp_csum')).toEqual([]);
    const noDhcp = planNetworkFirewall(netDef({ mode: 'none', ips: [V4B, V6] }), { bridge: 'virbr0' });
    expect(elements(noDhcp.apply, 'add', 'dhcp_csum')).toEqual([]);
  });
});

describe('planNetworkFirewall: nat', () => {
  it("has libvirt's default rules: out by source, back in only for established connections, masquerade with exclusions", () => {
    const plan = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4] }), { bridge: 'virbr0' });
    expect(rules(plan.apply, 'out_virbr0')).toEqual(outChain('ip saddr 192.168.122.0/24 counter accept'));
    expect(rules(plan.apply, 'in_virbr0')).toEqual(inChain('ip daddr 192.168.122.0/24 ct state established,related counter accept'));
    expect(rules(plan.apply, 'nat_virbr0')).toEqual([
      'ip saddr 192.168.122.0/24 ip daddr 224.0.0.0/24 counter return',
      'ip saddr 192.168.122.0/24 ip daddr 255.255.255.255 counter return',
      'meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535',
      'meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535',
      'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade',
    ]);
    expect(elements(plan.apply, 'add', 'nat4')).toEqual(['192.168.122.0/24 : jump nat_virbr0']);
    expect(plan.chains).toEqual(['in_virbr0', 'out_virbr0', 'nat_virbr0']);
  });

  it('limits every rule to the forward dev when one is set', () => {
    const plan = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4], dev: 'enp0s7' }), { bridge: 'virbr0' });
    expect(rules(plan.apply, 'out_virbr0')[0]).toBe('ip saddr 192.168.122.0/24 oifname enp0s7 counter accept');
    expect(rules(plan.apply, 'in_virbr0')[1]).toBe('iifname enp0s7 ip daddr 192.168.122.0/24 ct state established,related counter accept');
    for (const r of rules(plan.apply, 'nat_virbr0')) expect(r).toContain('oifname enp0s7');
  });

  it('uses the <nat><port> range for tcp and udp', () => {
    const plan = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4], nat: { portStart: 500, portEnd: 1000 } }), { bridge: 'virbr0' });
    expect(rules(plan.apply, 'nat_virbr0').filter((r) => r.includes('masquerade'))).toEqual([
      'meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :500-1000',
      'meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :500-1000',
      'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade',
    ]);
  });

  it("rejects a port range libvirt rejects, with libvirt's message", () => {
    for (const [portStart, portEnd] of [
      [1000, 500],
      [500, 500],
      [500, 0],
      [1, 70000],
    ] as const) {
      const def = netDef({ mode: 'nat', ips: [V4], nat: { portStart, portEnd } });
      let err: unknown;
      try {
        planNetworkFirewall(def, { bridge: 'virbr0' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VirError);
      expect((err as VirError).message).toBe(`internal error: Invalid port range '${portStart}-${portEnd}'.`);
    }
  });

  it('snats to <nat><address> (a range or one address), with the port range on tcp/udp only', () => {
    const range = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4], nat: { addressStart: '192.0.2.10', addressEnd: '192.0.2.20' } }), {
      bridge: 'virbr0',
    });
    expect(rules(range.apply, 'nat_virbr0').slice(2)).toEqual([
      'meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat ip to 192.0.2.10-192.0.2.20:1024-65535',
      'meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat ip to 192.0.2.10-192.0.2.20:1024-65535',
      'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat ip to 192.0.2.10-192.0.2.20',
    ]);
    const single = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4], nat: { addressStart: '192.0.2.10' } }), {
      bridge: 'virbr0',
    });
    expect(rules(single.apply, 'nat_virbr0')[4]).toBe('ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat ip to 192.0.2.10');
  });

  it("gives IPv6 <ip>s route rules unless <nat ipv6='yes'>", () => {
    const plan = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4, V6] }), { bridge: 'virbr0' });
    expect(rules(plan.apply, 'in_virbr0')).toContain('ip6 daddr 2001:db8:ca2:2::/64 counter accept');
    expect(rules(plan.apply, 'out_virbr0')).toContain('ip6 saddr 2001:db8:ca2:2::/64 counter accept');
    expect(rules(plan.apply, 'nat_virbr0').some((r) => r.includes('ip6'))).toBe(false);
    expect(elements(plan.apply, 'add', 'nat6')).toEqual([]);
  });

  it("masquerades IPv6 with <nat ipv6='yes'>: ff02::/16 excluded, no broadcast rule, IPv4 snat address not used", () => {
    const plan = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4, V6], nat: { ipv6: true, addressStart: '192.0.2.10' } }), { bridge: 'virbr0' });
    expect(rules(plan.apply, 'in_virbr0')).toContain('ip6 daddr 2001:db8:ca2:2::/64 ct state established,related counter accept');
    expect(rules(plan.apply, 'nat_virbr0').filter((r) => r.includes('ip6'))).toEqual([
      'ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr ff02::/16 counter return',
      'meta l4proto tcp ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr != 2001:db8:ca2:2::/64 counter masquerade to :1024-65535',
      'meta l4proto udp ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr != 2001:db8:ca2:2::/64 counter masquerade to :1024-65535',
      'ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr != 2001:db8:ca2:2::/64 counter masquerade',
    ]);
    expect(elements(plan.apply, 'add', 'nat6')).toEqual(['2001:db8:ca2:2::/64 : jump nat_virbr0']);
  });

  it('keys NAT by every IPv4 subnet, once when one subnet contains another', () => {
    const plan = planNetworkFirewall(
      netDef({
        mode: 'nat',
        ips: [V4, V4B, { address: '10.0.0.1', prefix: 8 }, { address: '10.1.2.3', prefix: 16 }],
      }),
      { bridge: 'virbr0' },
    );
    expect(elements(plan.apply, 'add', 'nat4')).toEqual([
      '192.168.122.0/24 : jump nat_virbr0',
      '192.168.128.0/24 : jump nat_virbr0',
      '10.0.0.0/8 : jump nat_virbr0',
    ]);
    expect(rules(plan.apply, 'nat_virbr0')).toHaveLength(4 * 5);
  });
});

describe('planNetworkFirewall: port forwards', () => {
  const withForwards = (forwards: PortForwardDef[]): NetworkDef => ({
    ...netDef({ mode: 'nat', ips: [V4] }),
    portForwards: { forwards, position: 0 },
  });
  const plan = planNetworkFirewall(
    withForwards([
      { proto: 'tcp', port: { start: 2222, end: 2222 }, to: '192.168.122.10', toPort: { start: 22, end: 22 } },
      { proto: 'both', address: '198.51.100.7', port: { start: 8000, end: 8010 }, to: '192.168.122.10' },
      { proto: 'udp', port: { start: 5000, end: 5001 }, to: 'web', toPort: { start: 6000, end: 6001 }, toAddress: '192.168.122.11' },
      { proto: 'tcp', port: { start: 80, end: 80 }, to: 'db' },
      { proto: 'tcp', address: '198.51.100.8', port: { start: 2223, end: 2223 }, to: '192.168.122.10', toPort: { start: 22, end: 22 } },
    ]),
    { bridge: 'virbr0' },
  );

  it('adds elements only: one per protocol for a kept range, one per port for a changed one', () => {
    expect(elements(plan.apply, 'add', 'dnat4_keep')).toEqual([
      '198.51.100.7 . tcp . 8000-8010 : 192.168.122.10',
      '198.51.100.7 . udp . 8000-8010 : 192.168.122.10',
    ]);
    expect(elements(plan.apply, 'add', 'dnat4_addr')).toEqual([
      '0.0.0.0/0 . tcp . 2222 : 192.168.122.10',
      '0.0.0.0/0 . udp . 5000 : 192.168.122.11',
      '0.0.0.0/0 . udp . 5001 : 192.168.122.11',
      '198.51.100.8 . tcp . 2223 : 192.168.122.10',
    ]);
    expect(elements(plan.apply, 'add', 'dnat4_port')).toEqual([
      '0.0.0.0/0 . tcp . 2222 : 22',
      '0.0.0.0/0 . udp . 5000 : 6000',
      '0.0.0.0/0 . udp . 5001 : 6001',
      '198.51.100.8 . tcp . 2223 : 22',
    ]);
  });

  it("opens the guests' ports to forwarded traffic, merged per address and protocol", () => {
    expect(elements(plan.apply, 'add', 'dnat4_open')).toEqual([
      '192.168.122.10 . tcp . 22',
      '192.168.122.10 . tcp . 8000-8010',
      '192.168.122.10 . udp . 8000-8010',
      '192.168.122.11 . udp . 6000-6001',
    ]);
    const overlapping = planNetworkFirewall(
      withForwards([
        { proto: 'tcp', port: { start: 20, end: 30 }, to: '192.168.122.10' },
        { proto: 'tcp', port: { start: 31, end: 31 }, to: '192.168.122.10', toPort: { start: 25, end: 25 } },
        { proto: 'tcp', port: { start: 32, end: 32 }, to: '192.168.122.10', toPort: { start: 31, end: 31 } },
      ]),
      { bridge: 'virbr0' },
    );
    expect(elements(overlapping.apply, 'add', 'dnat4_open')).toEqual(['192.168.122.10 . tcp . 20-31']);
  });

  it('leaves out a named target with no address now', () => {
    expect(JSON.stringify(plan.apply)).not.toContain('"db"');
  });

  it('masquerades hairpin traffic: a guest reaching a forward of its own network', () => {
    expect(rules(plan.apply, 'nat_virbr0')[0]).toBe('ct status dnat ip daddr 192.168.122.0/24 counter masquerade');
    const none = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4] }), { bridge: 'virbr0' });
    expect(rules(none.apply, 'nat_virbr0').join('\n')).not.toContain('ct status dnat');
  });

  it("keeps every network's own DNS, DHCP and TFTP out of any forward's reach", () => {
    expect(elements(plan.apply, 'add', 'dnat4_skip')).toEqual(['192.168.122.1 . udp . 53', '192.168.122.1 . tcp . 53', '192.168.122.1 . udp . 67']);
    expect(elements(plan.remove, 'delete', 'dnat4_skip')).toEqual(elements(plan.apply, 'add', 'dnat4_skip'));
    // Without forwards too: a forward of another network on every address would catch them.
    const tftp = planNetworkFirewall(netDef({ mode: 'nat', ips: [V4B, { ...V4, address: '192.168.122.1', tftp: true }, V6] }), { bridge: 'virbr0' });
    expect(elements(tftp.apply, 'add', 'dnat4_skip')).toEqual([
      '192.168.128.1 . udp . 53',
      '192.168.128.1 . tcp . 53',
      '192.168.122.1 . udp . 53',
      '192.168.122.1 . tcp . 53',
      '192.168.122.1 . udp . 67',
      '192.168.122.1 . udp . 69',
    ]);
    const noDns = { ...netDef({ mode: 'nat', ips: [V4B] }), dns: { ...netDef({ mode: 'nat', ips: [V4B] }).dns, enable: false } };
    expect(elements(planNetworkFirewall(noDns, { bridge: 'virbr0' }).apply, 'add', 'dnat4_skip')).toEqual([]);
  });

  it("a live update's journal deletes each element once, however the plans share them (a second delete fails the transaction)", () => {
    const one: PortForwardDef = { proto: 'udp', port: { start: 5353, end: 5353 }, to: '192.168.122.10' };
    const two: PortForwardDef = { proto: 'udp', port: { start: 51820, end: 51820 }, to: '192.168.122.10' };
    const before = planNetworkFirewall(withForwards([one]), { bridge: 'virbr0' });
    const after = planNetworkFirewall({ ...withForwards([one, two]), ips: [ipDef({ ...V4, tftp: true })] }, { bridge: 'virbr0' });
    const merged = { nftables: mergeRemoveBatches(before.remove.nftables, after.remove.nftables) };
    for (const name of ['dnat4_keep', 'dnat4_open', 'dnat4_skip', 'fwd_in', 'nat4']) {
      const deleted = elements(merged, 'delete', name);
      expect(deleted, name).toEqual([...new Set(deleted)]);
      expect(deleted, name).toEqual([...new Set([...elements(before.remove, 'delete', name), ...elements(after.remove, 'delete', name)])]);
    }
    expect(elements(merged, 'delete', 'dnat4_keep')).toEqual(['0.0.0.0/0 . udp . 5353', '0.0.0.0/0 . udp . 51820']);
  });

  it('remove deletes every element apply added', () => {
    for (const name of ['dnat4_addr', 'dnat4_port', 'dnat4_keep']) {
      expect(elements(plan.remove, 'delete', name)).toEqual(elements(plan.apply, 'add', name).map((e) => e.split(' : ')[0]));
    }
    expect(elements(plan.remove, 'delete', 'dnat4_open')).toEqual(elements(plan.apply, 'add', 'dnat4_open'));
  });
});

describe('planNetworkFirewall: route, open and the other modes', () => {
  it('route forwards both ways by subnet, with no conntrack match and no NAT', () => {
    const plan = planNetworkFirewall(netDef({ mode: 'route', ips: [V4, V6], dev: 'eth1' }), { bridge: 'virbr0' });
    expect(rules(plan.apply, 'out_virbr0')).toEqual(
      outChain('ip saddr 192.168.122.0/24 oifname eth1 counter accept', 'ip6 saddr 2001:db8:ca2:2::/64 oifname eth1 counter accept'),
    );
    expect(rules(plan.apply, 'in_virbr0')).toEqual(
      inChain('ip daddr 192.168.122.0/24 iifname eth1 counter accept', 'ip6 daddr 2001:db8:ca2:2::/64 iifname eth1 counter accept'),
    );
    expect(plan.chains).not.toContain('nat_virbr0');
    expect(elements(plan.apply, 'add', 'nat4')).toEqual([]);
  });

  it('open, bridge, private, vepa, passthrough and hostdev get no rules at all', () => {
    for (const mode of ['open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'] as const) {
      const plan = planNetworkFirewall(netDef({ mode, ips: mode === 'open' ? [V4] : [] }), { bridge: 'virbr0' });
      expect(plan.apply.nftables).toEqual([]);
      expect(plan.remove.nftables).toEqual([]);
    }
  });

  it('takes the prefix from the netmask, else the class of the address, and rejects a bad netmask', () => {
    const classful = planNetworkFirewall(netDef({ mode: 'route', ips: [{ address: '172.16.5.1' }] }), { bridge: 'virbr0' });
    expect(rules(classful.apply, 'out_virbr0')[0]).toBe('ip saddr 172.16.0.0/16 counter accept');
    expect(() =>
      planNetworkFirewall(netDef({ mode: 'route', ips: [{ address: '10.0.0.1', netmask: '255.0.255.0' }] }), {
        bridge: 'virbr7',
      }),
    ).toThrow("internal error: Invalid prefix or netmask for 'virbr7'");
  });
});

describe('planNetworkFirewall: apply and remove batches', () => {
  const def = netDef({ mode: 'nat', ips: [V4, V6], nat: { ipv6: true } });
  const plan = planNetworkFirewall(def, { bridge: 'virbr0' });
  const applyCmds = commandList(plan.apply);
  const removeCmds = commandList(plan.remove);

  it('apply starts with the idempotent base by default, and can leave it out', () => {
    expect(rules(plan.apply, 'forward')).toEqual([
      'ct status dnat ip daddr . meta l4proto . th dport @dnat4_open accept',
      'oifname vmap @fwd_in',
      'iifname vmap @fwd_out',
    ]);
    const bare = planNetworkFirewall(def, { bridge: 'virbr0', includeBase: false });
    expect(rules(bare.apply, 'forward')).toEqual([]);
    expect(commandList(bare.apply)).toContain('add map nat4');
  });

  it("apply flushes each of the network's chains before filling it, so applying twice does not double rules", () => {
    for (const chain of plan.chains) {
      const flushAt = applyCmds.indexOf(`flush chain ${chain}`);
      expect(flushAt).toBeGreaterThan(applyCmds.indexOf(`add chain ${chain}`));
      expect(flushAt).toBeLessThan(applyCmds.indexOf(`add rule ${chain}`));
    }
    expect(applyCmds.filter((c) => c.startsWith('delete'))).toEqual([]);
    expect(JSON.stringify(plan.apply)).not.toContain('"insert"');
  });

  it('apply creates its chains before the interval maps (nft 1.0.6) and adds elements only after the chains are filled', () => {
    const firstMap = applyCmds.indexOf('add map nat4');
    for (const chain of plan.chains) expect(applyCmds.indexOf(`add chain ${chain}`)).toBeLessThan(firstMap);
    const lastRule = applyCmds.map((c, i) => (c.startsWith('add rule') ? i : -1)).reduce((a, b) => Math.max(a, b));
    const firstElement = applyCmds.findIndex((c) => c.startsWith('add element'));
    expect(firstElement).toBeGreaterThan(lastRule);
  });

  it('remove deletes exactly the elements apply added, then the chains apply created', () => {
    for (const name of ['fwd_in', 'fwd_out', 'nat4', 'nat6', 'dhcp_csum']) {
      const added = elements(plan.apply, 'add', name).map((e) => e.split(' : ')[0]);
      expect(elements(plan.remove, 'delete', name)).toEqual(added);
    }
    const deletedChains = removeCmds.filter((c) => c.startsWith('delete chain')).map((c) => c.slice('delete chain '.length));
    expect(deletedChains).toEqual(plan.chains);
    const lastElementDelete = removeCmds.map((c, i) => (c.startsWith('delete element') ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(removeCmds.findIndex((c) => c.startsWith('delete chain'))).toBeGreaterThan(lastElementDelete);
    // Nothing else is deleted or flushed: not the table, the maps, the base chains or other networks.
    expect(removeCmds.filter((c) => c.startsWith('delete') && !c.startsWith('delete element') && !c.startsWith('delete chain'))).toEqual([]);
    expect(removeCmds.filter((c) => c.startsWith('flush'))).toEqual([]);
  });

  it('remove first re-adds what it deletes, so it succeeds when some or all of it is already gone', () => {
    for (const name of ['fwd_in', 'fwd_out', 'nat4', 'nat6', 'dhcp_csum']) {
      expect(elements(plan.remove, 'add', name)).toEqual(elements(plan.apply, 'add', name));
    }
    for (const chain of plan.chains) {
      expect(removeCmds.indexOf(`add chain ${chain}`)).toBeLessThan(removeCmds.indexOf(`delete chain ${chain}`));
    }
    expect(removeCmds.filter((c) => c.startsWith('add rule'))).toEqual([]);
  });

  it('names chains and keys after the bridge it is given', () => {
    const other = planNetworkFirewall(def, { bridge: 'vbr-x.1' });
    expect(other.chains).toEqual(['in_vbr-x.1', 'out_vbr-x.1', 'nat_vbr-x.1']);
    expect(elements(other.apply, 'add', 'fwd_in')).toEqual(['vbr-x.1 : jump in_vbr-x.1']);
  });
});

// ---------------------------------------------------------------------------
// Cross-check against libvirt's own expected nftables commands
// (networkxml2firewalldata/*-linux.nftables), read at run time.

const corpusDir = join(CORPUS_DIR, 'networkxml2firewalldata');
const haveCorpus = existsSync(corpusDir);
if (!haveCorpus) console.warn(`firewall corpus cross-check skipped: ${corpusDir} is absent`);

/** The corpus inputs, written here by hand as NetworkDef values (the XML is not copied). */
const CORPUS: Record<string, NetworkDef> = {
  'nat-default': netDef({ mode: 'nat', ips: [V4] }),
  'nat-tftp': netDef({ mode: 'nat', ips: [{ ...V4, tftp: true }] }),
  'nat-no-dhcp': netDef({
    mode: 'nat',
    ips: [
      { ...V4, dhcp: false },
      { ...V6, dhcp: false },
    ],
  }),
  'nat-ipv6': netDef({ mode: 'nat', ips: [V4, V6] }),
  'nat-ipv6-masquerade': netDef({ mode: 'nat', ips: [V4, V6], nat: { ipv6: true } }),
  'nat-many-ips': netDef({
    mode: 'nat',
    ips: [V4, V4B, { address: '192.168.150.1', netmask: '255.255.255.0' }],
  }),
  'nat-port-range': netDef({ mode: 'nat', ips: [V4, V4B, V6], nat: { portStart: 500, portEnd: 1000 } }),
  'nat-port-range-ipv6': netDef({ mode: 'nat', ips: [V4, V4B, V6], nat: { portStart: 500, portEnd: 1000, ipv6: true } }),
  'forward-dev': netDef({ mode: 'nat', ips: [V4], dev: 'enp0s7' }),
  'route-default': netDef({ mode: 'route', ips: [V4] }),
  isolated: netDef({ mode: 'none', ips: [V4, V4B, V6] }),
};

/**
 * A rule as a comparable value: its matches (sorted; they are ANDed) and its
 * statements (in order). `iif BR`/`oif BR` become implicit (our chains are
 * reached by them), libvirt's guest_cross `iif BR oif BR` becomes `iifname BR`,
 * /32 and /128 prefixes are dropped and ct state lists sorted.
 */
function normalizeRule(tokens: string[], bridge: string): string {
  const matches: string[] = [];
  const stmts: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!;
    // biome-ignore lint/suspicious/noAssignInExpressions: take n tokens and move the cursor past them in one step
    const next = (n: number): string[] => tokens.slice(i, (i += n));
    if (t === 'ip' || t === 'ip6' || t === 'meta' || t === 'ct') {
      const neg = tokens[i + 2] === '!=';
      const [a, b, ...rest] = next(neg ? 4 : 3);
      let v = rest[rest.length - 1]!.replace(/\/(32|128)$/, '');
      if (a === 'ct') v = v.split(',').sort().join(',');
      matches.push(`${a} ${b} ${neg ? '!= ' : ''}${v}`);
    } else if (t === 'iif' || t === 'oif' || t === 'iifname' || t === 'oifname') {
      const [k, v] = next(2);
      if ((k === 'iif' || k === 'oif') && v === bridge) continue;
      matches.push(`${k!.replace(/^(i|o)if$/, '$1ifname')} ${v}`);
    } else if (t === 'masquerade' && tokens[i + 1] === 'to') {
      stmts.push(next(3).join(' '));
    } else if (t === 'snat') {
      stmts.push(next(tokens[i + 1] === 'ip' || tokens[i + 1] === 'ip6' ? 4 : 3).join(' '));
    } else {
      stmts.push(next(1)[0]!);
    }
  }
  return [...matches.sort(), '|', ...stmts].join(' ');
}

/** libvirt's per-network rules from a corpus file: chain → normalized rules in final chain order. */
function libvirtRules(file: string, bridge: string): Record<'in' | 'out' | 'nat', string[]> {
  const text = readFileSync(file, 'utf8').replace(/ \\\n/g, ' ');
  const out: Record<'in' | 'out' | 'nat', string[]> = { in: [], out: [], nat: [] };
  for (const line of text.split('\n')) {
    const m = /^nft -ae insert rule (ip|ip6) libvirt_network (\w+) (.*)$/.exec(line);
    if (!m) continue;
    const chain = m[2]!;
    let tokens = m[3]!.split(' ').map((t) => t.replace(/^'(.*)'$/, '$1'));
    if (chain === 'guest_cross')
      tokens = tokens.filter((t, i) => !(t === 'oif' || (i > 0 && tokens[i - 1] === 'oif'))).map((t) => (t === 'iif' ? 'iifname' : t));
    const target = chain === 'guest_output' ? 'out' : chain === 'guest_nat' ? 'nat' : 'in';
    // Rules are inserted at the head: the last inserted comes first.
    out[target].unshift(normalizeRule(tokens, bridge));
  }
  return out;
}

function ourRules(b: NftBatch, chain: string, bridge: string): string[] {
  return rules(b, chain).map((r) => normalizeRule(r.split(' '), bridge));
}

/** Group NAT rules by source subnet, keeping their order within each group. */
function bySource(rulesList: string[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const r of rulesList) {
    const src = /(ip6?) saddr (\S+)/.exec(r)?.[2] ?? '?';
    // biome-ignore lint/suspicious/noAssignInExpressions: the idiomatic get-or-create of a group
    (groups[src] ??= []).push(r);
  }
  return groups;
}

describe.skipIf(!haveCorpus)("libvirt's expected nftables rules (networkxml2firewalldata)", () => {
  it('covers every corpus case', () => {
    const files = readdirSync(corpusDir)
      .filter((f) => f.endsWith('-linux.nftables'))
      .map((f) => f.replace(/-linux\.nftables$/, ''));
    expect(Object.keys(CORPUS).sort()).toEqual(files.sort());
  });

  for (const [name, def] of Object.entries(CORPUS)) {
    it(`${name}: same rules per chain, NAT rules in the same order per subnet`, () => {
      const expected = libvirtRules(join(corpusDir, `${name}-linux.nftables`), 'virbr0');
      const plan = planNetworkFirewall(def, { bridge: 'virbr0' });
      // in/out: the inet table holds one copy of libvirt's per-family general rules.
      const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();
      expect(uniq(ourRules(plan.apply, 'in_virbr0', 'virbr0'))).toEqual(uniq(expected.in));
      expect(uniq(ourRules(plan.apply, 'out_virbr0', 'virbr0'))).toEqual(uniq(expected.out));
      expect(bySource(ourRules(plan.apply, 'nat_virbr0', 'virbr0'))).toEqual(bySource(expected.nat));
      // The catch-all rejects come last, as in libvirt's chains.
      expect(rules(plan.apply, 'in_virbr0').at(-1)).toBe('counter reject');
      expect(rules(plan.apply, 'out_virbr0').at(-1)).toBe('counter reject');
    });
  }
});

// ---------------------------------------------------------------------------

describe('detectFirewallConflicts', () => {
  const ruleset = {
    nftables: [
      { metainfo: { version: '1.0.6', json_schema_version: 1 } },
      { table: { family: 'ip', name: 'filter', handle: 1 } },
      { chain: { family: 'ip', table: 'filter', name: 'FORWARD', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
      { chain: { family: 'ip', table: 'filter', name: 'INPUT', handle: 2, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
      { chain: { family: 'ip', table: 'filter', name: 'DOCKER-USER', handle: 3 } },
      { chain: { family: 'inet', table: 'firewalld', name: 'filter_INPUT', handle: 4, type: 'filter', hook: 'input', prio: 10, policy: 'drop' } },
      { chain: { family: 'inet', table: 'firewalld', name: 'filter_OUTPUT', handle: 5, type: 'filter', hook: 'output', prio: 10, policy: 'drop' } },
      { chain: { family: 'inet', table: 'virtnet', name: 'forward', handle: 6, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
      { chain: { family: 'bridge', table: 'br', name: 'fw', handle: 7, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
    ],
  };
  const nat = { def: netDef({ mode: 'nat', ips: [V4], name: 'default' }), bridge: 'virbr1' };
  const iso = { def: netDef({ mode: 'none', ips: [V4B], name: 'lab' }), bridge: 'virbr2' };

  it('explains drop-policy forward and input base chains of other tables, per affected bridge', () => {
    const found = detectFirewallConflicts(ruleset, [nat, iso]);
    expect(found.map((c) => [c.family, c.table, c.chain, c.hook, c.bridge])).toEqual([
      ['ip', 'filter', 'FORWARD', 'forward', 'virbr1'],
      ['inet', 'firewalld', 'filter_INPUT', 'input', 'virbr1'],
      ['inet', 'firewalld', 'filter_INPUT', 'input', 'virbr2'],
    ]);
    expect(found[0]!.message).toMatch(
      /^table ip filter chain FORWARD \(hook forward, policy drop\) will drop traffic of bridge virbr1: .*network 'default'.*IPv4 traffic/,
    );
    expect(found[1]!.message).toMatch(
      /^table inet firewalld chain filter_INPUT \(hook input, policy drop\) will drop traffic of bridge virbr1: DHCP .* DNS/,
    );
  });

  it('with bridge netfilter on, a forward drop also cuts off guests of an isolated network from each other', () => {
    const found = detectFirewallConflicts(ruleset, [iso], { bridgeNetfilter: true });
    expect(found.map((c) => [c.chain, c.bridge])).toEqual([
      ['FORWARD', 'virbr2'],
      ['filter_INPUT', 'virbr2'],
    ]);
    expect(found[0]!.message).toContain('between two guests');
  });

  it('also reads the ruleset as a bare list of objects', () => {
    expect(detectFirewallConflicts(ruleset.nftables, [nat]).map((c) => c.chain)).toEqual(['FORWARD', 'filter_INPUT']);
  });

  it('reports nothing for accept policies, our own table, non-IP families or no networks', () => {
    expect(detectFirewallConflicts(ruleset, [])).toEqual([]);
    expect(detectFirewallConflicts({ nftables: [] }, [nat])).toEqual([]);
    expect(detectFirewallConflicts('not json', [nat])).toEqual([]);
  });
});
