/**
 * nftables through LinuxHost inside a test namespace: JSON batches apply
 * atomically (one bad command changes nothing), tables are listed as JSON,
 * existence is checked, and echo returns rule handles.
 */
import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/errors.js';
import type { NftObject } from '../../src/host/nft.js';
import { canUseNetns, inNetns } from './netns.js';
import { hostSite } from './host-site.js';

const root = canUseNetns();

const table = (name: string): NftObject => ({ table: { family: 'inet', name } });
const chain = (t: string, name: string, hook?: string): NftObject => ({
  chain: { family: 'inet', table: t, name, ...(hook ? { type: 'filter', hook, prio: 0, policy: 'accept' } : {}) },
});
const acceptFrom = (t: string, c: string, iface: string): NftObject => ({
  rule: {
    family: 'inet',
    table: t,
    chain: c,
    expr: [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: iface } }, { accept: null }],
  },
});

describe.skipIf(!root)('LinuxHost nftables in a namespace', () => {
  const site = hostSite('hn');

  it('applies a batch, lists the table as JSON and knows it exists', async () => {
    expect(await site.host.nft.tableExists('inet', 'vnttest')).toBe(false);
    expect(await site.host.nft.listTable('inet', 'vnttest')).toBeUndefined();
    await site.host.nft.apply([
      { add: table('vnttest') },
      { add: chain('vnttest', 'fwd', 'forward') },
      { add: acceptFrom('vnttest', 'fwd', 'virbr0') },
    ]);
    expect(await site.host.nft.tableExists('inet', 'vnttest')).toBe(true);
    expect(await site.host.nft.listTables()).toEqual([{ family: 'inet', name: 'vnttest' }]);
    const objects = await site.host.nft.listTable('inet', 'vnttest');
    expect(objects?.map((o) => Object.keys(o)[0])).toEqual(['table', 'chain', 'rule']);
    expect(objects?.[2]).toMatchObject({ rule: { chain: 'fwd', expr: [{ match: { right: 'virbr0' } }, { accept: null }] } });
    // The table is really in the namespace's kernel ruleset.
    expect(inNetns(site.ns, 'nft', ['list', 'table', 'inet', 'vnttest'])).toContain('iifname "virbr0" accept');
  });

  it('applies nothing of a batch with one bad command', async () => {
    const before = inNetns(site.ns, 'nft', ['list', 'ruleset']);
    const err = await site.host.nft
      .apply([
        { add: table('vntother') },
        { add: chain('vntother', 'c') },
        { add: acceptFrom('vnttest', 'fwd', 'virbr9') },
        { add: acceptFrom('vnttest', 'nosuchchain', 'virbr9') },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).message).toMatch(/^internal error: Failed to apply nftables rules: .*No such file or directory/);
    expect(await site.host.nft.tableExists('inet', 'vntother')).toBe(false);
    expect(inNetns(site.ns, 'nft', ['list', 'ruleset'])).toBe(before);
  });

  it('echoes added rules with their handles so they can be deleted', async () => {
    const echoed = await site.host.nft.apply([{ add: acceptFrom('vnttest', 'fwd', 'virbr7') }], { echo: true });
    const rule = echoed.map((o) => (o.add as { rule?: { handle?: number } } | undefined)?.rule).find((r) => r !== undefined);
    expect(typeof rule?.handle).toBe('number');
    expect(inNetns(site.ns, 'nft', ['list', 'table', 'inet', 'vnttest'])).toContain('virbr7');
    await site.host.nft.apply([{ delete: { rule: { family: 'inet', table: 'vnttest', chain: 'fwd', handle: rule?.handle } } }]);
    expect(inNetns(site.ns, 'nft', ['list', 'table', 'inet', 'vnttest'])).not.toContain('virbr7');
  });

  it('refuses table names that nft would parse as syntax', async () => {
    await expect(site.host.nft.listTable('inet', 'x; flush ruleset')).rejects.toThrow("invalid nftables table name 'x; flush ruleset'");
    expect(await site.host.nft.tableExists('inet', 'vnttest')).toBe(true);
  });

  it('lists the whole ruleset and deletes the table', async () => {
    expect((await site.host.nft.listRuleset()).some((o) => 'table' in o)).toBe(true);
    await site.host.nft.apply([{ delete: table('vnttest') }]);
    expect(await site.host.nft.listRuleset()).toEqual([]);
  });
});
