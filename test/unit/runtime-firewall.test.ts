/**
 * The runtime's firewall queue (src/driver/runtime/firewall.ts): batches go
 * in one at a time, and the whole `inet virtnet` table is dropped only when
 * the last network with rules stops *and* the table holds nothing of any
 * network. Listings are shaped as `nft -j list table` prints them (elements
 * inside their map or set).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Nftables, NftObject, TableWatch } from '../../src/host/nft.js';
import { FirewallControl, tableIsIdle } from '../../src/driver/runtime/firewall.js';
import { expectationOf, findDamage } from '../../src/driver/runtime/firewall-check.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { planNetworkFirewall } from '../../src/plan/firewall.js';
import { BASE_CHAINS, baseCommands } from '../../src/plan/firewall-layout.js';
import { FakeHost } from '../support/fake-host.js';
import { NftMonitorParser, type NftTransaction } from '../../src/host/nft-monitor.js';
import { pollUntil } from '../support/poll.js';

const T = { family: 'inet', table: 'virtnet' };
const idle: NftObject[] = [
  { table: { family: 'inet', name: 'virtnet', handle: 1 } },
  { chain: { ...T, name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } },
  { chain: { ...T, name: 'postrouting' } },
  { chain: { ...T, name: 'output' } },
  { map: { ...T, name: 'fwd_in', type: 'ifname', map: 'verdict' } },
  { map: { ...T, name: 'nat4', type: 'ipv4_addr', map: 'verdict', flags: ['interval'], elem: [] } },
  { set: { ...T, name: 'dhcp_csum', type: 'ifname' } },
  { rule: { ...T, chain: 'forward', expr: [] } },
];

class StubNft implements Nftables {
  readonly batches: NftObject[][] = [];
  lists = 0;
  constructor(public listing: NftObject[] | undefined) {}
  async apply(commands: readonly NftObject[]): Promise<NftObject[]> {
    this.batches.push([...commands]);
    return [];
  }
  async listTable(): Promise<NftObject[] | undefined> {
    this.lists++;
    return this.listing;
  }
  async tableExists(): Promise<boolean> {
    return this.listing !== undefined;
  }
  async listTables() {
    return [];
  }
  async listRuleset(): Promise<NftObject[]> {
    return [];
  }
}

const drop = [{ add: { table: { family: 'inet', name: 'virtnet' } } }, { delete: { table: { family: 'inet', name: 'virtnet' } } }];

describe('tableIsIdle', () => {
  it('is idle with only the base chains, rules, empty maps and sets', () => {
    expect(tableIsIdle(idle)).toBe(true);
  });
  it('is busy with a network chain, a map or set element, or an object that is not ours', () => {
    expect(tableIsIdle([...idle, { chain: { ...T, name: 'in_vbr1' } }])).toBe(false);
    expect(
      tableIsIdle([...idle, { map: { ...T, name: 'fwd_out', type: 'ifname', map: 'verdict', elem: [['vbr1', { jump: { target: 'out_vbr1' } }]] } }]),
    ).toBe(false);
    expect(tableIsIdle([...idle, { set: { ...T, name: 'dhcp_csum', type: 'ifname', elem: ['vbr1'] } }])).toBe(false);
    expect(tableIsIdle([...idle, { set: { ...T, name: 'someone_elses', type: 'ifname' } }])).toBe(false);
  });
});

describe('FirewallControl', () => {
  it('drops the table after the last network, not before, and only when it is idle', async () => {
    const nft = new StubNft(idle);
    const fw = new FirewallControl(nft, { lingerMs: 0 });
    await Promise.all([fw.apply('vbr1', [{ a: 1 }]), fw.apply('vbr2', [{ a: 2 }])]);
    await fw.remove('vbr1', [{ r: 1 }]);
    expect(nft.lists).toBe(0);
    await fw.remove('vbr2', [{ r: 2 }]);
    expect(nft.lists).toBe(1);
    expect(nft.batches).toEqual([[{ a: 1 }], [{ a: 2 }], [{ r: 1 }], [{ r: 2 }], drop]);

    const busy = new StubNft([...idle, { chain: { ...T, name: 'in_vbr9' } }]);
    const fw2 = new FirewallControl(busy, { lingerMs: 0 });
    await fw2.apply('vbr1', [{ a: 1 }]);
    await fw2.remove('vbr1', [{ r: 1 }]);
    expect(busy.batches).toEqual([[{ a: 1 }], [{ r: 1 }]]);
  });

  it('keeps the table and its watch for a while after the last network stopped: a restart finds both; then drops the idle table', async () => {
    vi.useFakeTimers();
    try {
      const watches: { closed: boolean }[] = [];
      const nft = new (class extends StubNft {
        watchTable(): TableWatch {
          const w = { closed: false };
          watches.push(w);
          return {
            close: async () => {
              w.closed = true;
            },
          };
        }
      })(idle);
      const fw = new FirewallControl(nft, { lingerMs: 1000 });
      expect(watches).toEqual([]);
      await fw.apply('vbr1', [{ base: 1 }], [{ net: 1 }]);
      expect(watches).toEqual([{ closed: false }]);
      // Stopped and started again within the linger: no drop, no base again, the same watch.
      await fw.remove('vbr1', [{ r: 1 }]);
      await vi.advanceTimersByTimeAsync(900);
      await fw.apply('vbr1', [{ base: 1 }], [{ net: 1 }]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(nft.batches).toEqual([[{ base: 1 }], [{ r: 1 }], [{ net: 1 }]]);
      expect(watches).toEqual([{ closed: false }]);
      // Stopped for good: the table (idle) is dropped and the watch ends once the linger is over, not before.
      await fw.remove('vbr1', [{ r: 1 }]);
      await vi.advanceTimersByTimeAsync(900);
      expect(nft.lists).toBe(0);
      expect(watches).toEqual([{ closed: false }]);
      await vi.advanceTimersByTimeAsync(100);
      expect(nft.lists).toBe(1);
      expect(nft.batches.slice(3)).toEqual([[{ r: 1 }], drop]);
      expect(watches).toEqual([{ closed: true }]);
      // The next start builds the base and watches again; closing during the linger drops the table at once.
      await fw.apply('vbr2', [{ base: 2 }], [{ net: 2 }]);
      expect(watches).toEqual([{ closed: true }, { closed: false }]);
      await fw.remove('vbr2', [{ r: 2 }]);
      await fw.close();
      expect(nft.batches.slice(5)).toEqual([[{ base: 2 }], [{ r: 2 }], drop]);
      expect(watches).toEqual([{ closed: true }, { closed: true }]);
      await vi.advanceTimersByTimeAsync(2000);
      expect(nft.lists).toBe(2);
      expect(watches).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('builds the base chains with the first network of the process only, and again after the table was dropped', async () => {
    const nft = new StubNft(idle);
    const fw = new FirewallControl(nft, { lingerMs: 0 });
    await fw.apply('vbr1', [{ base: 1 }], [{ net: 1 }]);
    await fw.apply('vbr2', [{ base: 2 }], [{ net: 2 }]);
    await fw.remove('vbr1', [{ r: 1 }]);
    await fw.remove('vbr2', [{ r: 2 }]);
    await fw.apply('vbr3', [{ base: 3 }], [{ net: 3 }]);
    expect(nft.batches).toEqual([[{ base: 1 }], [{ net: 2 }], [{ r: 1 }], [{ r: 2 }], drop, [{ base: 3 }]]);
  });

  it('runs batches one at a time even when called concurrently, and a failure does not block the queue', async () => {
    let running = 0;
    let most = 0;
    const nft = new StubNft(undefined);
    nft.apply = async (commands) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (JSON.stringify(commands).includes('bad')) throw new Error('nft failed');
      return [];
    };
    const fw = new FirewallControl(nft);
    const results = await Promise.allSettled([fw.apply('a', [{ x: 1 }]), fw.apply('b', [{ bad: 1 }]), fw.replace('c', [{ x: 2 }], [{ x: 3 }])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(most).toBe(1);
  });

  it('merges the batches queued while one runs into one transaction, with the base only for the first network', async () => {
    const nft = new StubNft(idle);
    const fw = new FirewallControl(nft, { lingerMs: 0 });
    await Promise.all([
      fw.apply('vbr1', [{ base: 1 }], [{ net: 1 }]),
      fw.apply('vbr2', [{ base: 2 }], [{ net: 2 }]),
      fw.apply('vbr3', [{ base: 3 }], [{ net: 3 }]),
    ]);
    expect(nft.batches).toEqual([[{ base: 1 }], [{ net: 2 }, { net: 3 }]]);
    await Promise.all([fw.remove('vbr1', [{ r: 1 }]), fw.remove('vbr2', [{ r: 2 }]), fw.remove('vbr3', [{ r: 3 }])]);
    expect(nft.batches.slice(2)).toEqual([[{ r: 1 }], [{ r: 2 }, { r: 3 }], drop]);
    expect(nft.lists).toBe(1);
  });

  it('retries a failed merged transaction batch by batch, so only the faulty network fails', async () => {
    const nft = new StubNft(undefined);
    const seen: string[] = [];
    nft.apply = async (commands) => {
      seen.push(JSON.stringify(commands));
      await new Promise((r) => setTimeout(r, 2));
      if (JSON.stringify(commands).includes('bad')) throw new Error('nft failed');
      return [];
    };
    const fw = new FirewallControl(nft);
    const results = await Promise.allSettled([
      fw.apply('a', [{ x: 1 }]),
      fw.apply('b', [{ bad: 1 }]),
      fw.apply('c', [{ x: 3 }]),
      fw.remove('d', [{ x: 4 }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(seen).toEqual(['[{"x":1}]', '[{"bad":1},{"x":3},{"x":4}]', '[{"bad":1}]', '[{"x":3}]', '[{"x":4}]']);
  });
});

// ---- isolation never silently disappears -------------------------------------

const netDef = (name: string, third: number) =>
  parseNetworkXml(
    `<network><name>${name}</name><forward mode='nat'/><ip address='10.70.${third}.1' prefix='24'><dhcp><range start='10.70.${third}.10' end='10.70.${third}.20'/></dhcp></ip></network>`,
  );

/** A network's two batches, as the runtime plans them: with the base (first in the process), and without (relying on it). */
function batches(name: string, third: number) {
  const def = netDef(name, third);
  const bridge = `vbr-${name}`;
  return {
    bridge,
    name,
    withBase: planNetworkFirewall(def, { bridge }).apply.nftables,
    networkOnly: planNetworkFirewall(def, { bridge, includeBase: false }).apply.nftables,
    remove: planNetworkFirewall(def, { bridge }).remove.nftables,
  };
}

/** What is missing from the fake kernel's table compared with what the batches made. */
async function missingFrom(host: FakeHost, nets: ReturnType<typeof batches>[]): Promise<string[]> {
  const listing = await host.nft.listTable('inet', 'virtnet');
  const damage = findDamage(listing, expectationOf(baseCommands()), new Map(nets.map((n) => [n.name, expectationOf(n.networkOnly)])));
  return [...damage.base, ...[...damage.networks].flatMap(([n, lacks]) => lacks.map((l) => `${n}: ${l}`))];
}

const flushRuleset = [{ flush: { ruleset: null } }];

describe('FirewallControl when someone else changes the table', () => {
  it('a network batch relying on the base fails where the base is gone, and runs again with it: a start after `nft flush ruleset` gets its hook chains', async () => {
    const host = new FakeHost();
    const fw = new FirewallControl(host.nft, { watch: false });
    const a = batches('a', 1);
    const b = batches('b', 2);
    await fw.apply(a.bridge, a.withBase, a.networkOnly, a.name);
    host.kernel.nftApply(null, flushRuleset);
    await fw.apply(b.bridge, b.withBase, b.networkOnly, b.name);
    const listing = (await host.nft.listTable('inet', 'virtnet')) ?? [];
    expect(
      listing
        .filter((o) => (o.chain as { hook?: string } | undefined)?.hook !== undefined)
        .map((o) => (o.chain as { name: string }).name)
        .sort(),
    ).toEqual([...BASE_CHAINS].sort());
    expect(await missingFrom(host, [b])).toEqual([]);
    // The base was gone, so the others' rules were too: the check that follows puts them back.
    await fw.check();
    expect(await missingFrom(host, [a, b])).toEqual([]);
  });

  it('notices a foreign change, re-applies what is missing in one transaction, and reports the networks degraded, then repaired', async () => {
    const host = new FakeHost();
    const warnings: string[] = [];
    const fw = new FirewallControl(host.nft, { onWarning: (m) => warnings.push(m), checkDelayMs: 1 });
    const health: string[] = [];
    fw.onHealth((h) => health.push(`${h.owner} ${h.state}: ${h.reason}`));
    const a = batches('a', 1);
    const b = batches('b', 2);
    await Promise.all([fw.apply(a.bridge, a.withBase, a.networkOnly, a.name), fw.apply(b.bridge, b.withBase, b.networkOnly, b.name)]);
    const appliedBefore = host.calls.filter((c) => c.area === 'nft' && c.method === 'apply').length;

    // `nft flush ruleset` (what reloading nftables.service does).
    host.kernel.nftApplyAsOther(null, flushRuleset);
    await pollUntil(() => health.length === 4, { ms: 2000, everyMs: 5, what: 'the repair' });
    expect(health).toEqual([
      'a degraded: firewall rules changed outside virtnetd: the table is gone',
      'b degraded: firewall rules changed outside virtnetd: the table is gone',
      'a repaired: firewall rules re-applied',
      'b repaired: firewall rules re-applied',
    ]);
    expect(await missingFrom(host, [a, b])).toEqual([]);
    expect(host.calls.filter((c) => c.area === 'nft' && c.method === 'apply').length - appliedBefore).toBe(1);
    expect(warnings[0]).toBe("network 'a': its firewall rules were changed outside virtnetd (the table is gone); re-applying them");

    // Someone deletes one network's element: only that one is degraded and repaired.
    health.length = 0;
    host.kernel.nftApplyAsOther(null, [{ delete: { element: { family: 'inet', table: 'virtnet', name: 'fwd_in', elem: [b.bridge] } } }]);
    await pollUntil(() => health.length === 2, { ms: 2000, everyMs: 5, what: 'the repair' });
    expect(health).toEqual([
      'b degraded: firewall rules changed outside virtnetd: element vbr-b of fwd_in is gone',
      'b repaired: firewall rules re-applied',
    ]);
    expect(await missingFrom(host, [a, b])).toEqual([]);

    // Our own changes are not someone else's.
    health.length = 0;
    await fw.remove(a.bridge, a.remove);
    await fw.check();
    expect(health).toEqual([]);
    fw.close();
  });

  it("keeps a running network's rules as data of its own, not the planner's objects: a repair re-applies them as they were applied", async () => {
    const host = new FakeHost();
    const fw = new FirewallControl(host.nft, { checkDelayMs: 1 });
    const health: string[] = [];
    fw.onHealth((h) => health.push(`${h.owner} ${h.state}`));
    const a = batches('a', 1);
    const applied = structuredClone(a.networkOnly);
    await fw.apply(a.bridge, a.withBase, a.networkOnly, a.name);
    // What the caller holds changes afterwards (a plan reused, an array emptied): the kept rules do not.
    (a.networkOnly as NftObject[]).length = 0;
    host.kernel.nftApplyAsOther(null, flushRuleset);
    await pollUntil(() => health.length === 2, { ms: 2000, everyMs: 5, what: 'the repair' });
    expect(health).toEqual(['a degraded', 'a repaired']);
    expect(await missingFrom(host, [{ ...a, networkOnly: applied }])).toEqual([]);
    fw.close();
  });

  it("keeps only the caller's way to make a network's rules again when it gives one: a repair re-applies what it makes", async () => {
    const host = new FakeHost();
    const fw = new FirewallControl(host.nft, { checkDelayMs: 1 });
    const health: string[] = [];
    fw.onHealth((h) => health.push(`${h.owner} ${h.state}`));
    const a = batches('a', 1);
    const made = structuredClone(a.networkOnly);
    let asked = 0;
    await fw.apply(a.bridge, a.withBase, a.networkOnly, a.name, () => {
      asked++;
      return structuredClone(made);
    });
    // Nothing of the batch itself is kept: the caller's copy may change (or go) afterwards.
    (a.networkOnly as NftObject[]).length = 0;
    expect(asked).toBe(0);
    host.kernel.nftApplyAsOther(null, flushRuleset);
    await pollUntil(() => health.length === 2, { ms: 2000, everyMs: 5, what: 'the repair' });
    expect(health).toEqual(['a degraded', 'a repaired']);
    expect(asked).toBeGreaterThan(0);
    expect(await missingFrom(host, [{ ...a, networkOnly: made }])).toEqual([]);
    fw.close();
  });

  it('retries a repair that fails, and stays degraded meanwhile', async () => {
    const host = new FakeHost();
    const fw = new FirewallControl(host.nft, { checkDelayMs: 1 });
    const health: string[] = [];
    fw.onHealth((h) => health.push(`${h.owner} ${h.state}`));
    const a = batches('a', 1);
    await fw.apply(a.bridge, a.withBase, a.networkOnly, a.name);
    host.failNext('nft', 'apply', new Error('Could not process rule: Device or resource busy'));
    host.kernel.nftApplyAsOther(null, flushRuleset);
    await pollUntil(() => health.length === 1, { ms: 2000, everyMs: 5, what: 'the report' });
    expect(health).toEqual(['a degraded']);
    await pollUntil(() => health.length === 2, { ms: 5000, everyMs: 20, what: 'the retried repair' });
    expect(health).toEqual(['a degraded', 'a repaired']);
    expect(await missingFrom(host, [a])).toEqual([]);
    fw.close();
  });
});

describe('nft monitor output', () => {
  it('is read into transactions: the tables each touched, and the process that made it', () => {
    const seen: NftTransaction[] = [];
    const p = new NftMonitorParser((t) => seen.push(t));
    // As nft 1.0.6 prints it, cut anywhere.
    const text = [
      'add table inet virtnet',
      '# new generation 2 by process 10377 (nft)',
      'add chain inet virtnet forward { type filter hook forward priority filter; policy accept; }',
      'add element inet virtnet fwd_in { "x" : jump in_x }',
      'add rule ip other FORWARD ip saddr 198.51.100.7 drop',
      '# new generation 3 by process 10378 (nft)',
      'delete set inet virtnet m',
      'delete table inet virtnet',
      'delete table ip other',
      '# new generation 9 by process 10384 (firewalld)',
      '',
    ].join('\n');
    p.push(text.slice(0, 50));
    p.push(text.slice(50, 51));
    p.push(text.slice(51));
    expect(seen.map((t) => [t.generation, t.pid, t.comm, [...t.tables].sort()])).toEqual([
      [2, 10377, 'nft', ['inet virtnet']],
      [3, 10378, 'nft', ['inet virtnet', 'ip other']],
      [9, 10384, 'firewalld', ['inet virtnet', 'ip other']],
    ]);
  });
});
