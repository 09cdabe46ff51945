/**
 * The runtime's firewall queue (src/driver/runtime/firewall.ts): batches go
 * in one at a time, and the whole `inet virtnet` table is dropped only when
 * the last network with rules stops *and* the table holds nothing of any
 * network. Listings are shaped as `nft -j list table` prints them (elements
 * inside their map or set).
 */
import { describe, expect, it } from 'vitest';
import type { Nftables, NftObject } from '../../src/host/nft.js';
import { FirewallControl, tableIsIdle } from '../../src/driver/runtime/firewall.js';

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
    const fw = new FirewallControl(nft);
    await Promise.all([fw.apply('vbr1', [{ a: 1 }]), fw.apply('vbr2', [{ a: 2 }])]);
    await fw.remove('vbr1', [{ r: 1 }]);
    expect(nft.lists).toBe(0);
    await fw.remove('vbr2', [{ r: 2 }]);
    expect(nft.lists).toBe(1);
    expect(nft.batches).toEqual([[{ a: 1 }], [{ a: 2 }], [{ r: 1 }], [{ r: 2 }], drop]);

    const busy = new StubNft([...idle, { chain: { ...T, name: 'in_vbr9' } }]);
    const fw2 = new FirewallControl(busy);
    await fw2.apply('vbr1', [{ a: 1 }]);
    await fw2.remove('vbr1', [{ r: 1 }]);
    expect(busy.batches).toEqual([[{ a: 1 }], [{ r: 1 }]]);
  });

  it('builds the base chains with the first network of the process only, and again after the table was dropped', async () => {
    const nft = new StubNft(idle);
    const fw = new FirewallControl(nft);
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
    const fw = new FirewallControl(nft);
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
