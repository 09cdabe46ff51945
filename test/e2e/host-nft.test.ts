/**
 * nftables through LinuxHost inside a test namespace: JSON batches apply
 * atomically (one bad command changes nothing), tables are listed as JSON,
 * existence is checked, and echo returns rule handles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/errors.js';
import { LinuxHost } from '../../src/host/linux.js';
import type { NftObject } from '../../src/host/nft.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';

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
  let ns: string;
  let host: LinuxHost;

  beforeAll(async () => {
    ns = createNetns('hn');
    host = await LinuxHost.open({ netns: ns });
  });
  afterAll(() => deleteNetns(ns));

  it('applies a batch, lists the table as JSON and knows it exists', async () => {
    expect(await host.nft.tableExists('inet', 'vnttest')).toBe(false);
    expect(await host.nft.listTable('inet', 'vnttest')).toBeUndefined();
    await host.nft.apply([{ add: table('vnttest') }, { add: chain('vnttest', 'fwd', 'forward') }, { add: acceptFrom('vnttest', 'fwd', 'virbr0') }]);
    expect(await host.nft.tableExists('inet', 'vnttest')).toBe(true);
    expect(await host.nft.listTables()).toEqual([{ family: 'inet', name: 'vnttest' }]);
    const objects = await host.nft.listTable('inet', 'vnttest');
    expect(objects?.map((o) => Object.keys(o)[0])).toEqual(['table', 'chain', 'rule']);
    expect(objects?.[2]).toMatchObject({ rule: { chain: 'fwd', expr: [{ match: { right: 'virbr0' } }, { accept: null }] } });
    // The table is really in the namespace's kernel ruleset.
    expect(inNetns(ns, 'nft', ['list', 'table', 'inet', 'vnttest'])).toContain('iifname "virbr0" accept');
  });

  it('applies nothing of a batch with one bad command', async () => {
    const before = inNetns(ns, 'nft', ['list', 'ruleset']);
    const err = await host.nft
      .apply([
        { add: table('vntother') },
        { add: chain('vntother', 'c') },
        { add: acceptFrom('vnttest', 'fwd', 'virbr9') },
        { add: acceptFrom('vnttest', 'nosuchchain', 'virbr9') },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).message).toMatch(/^internal error: Failed to apply nftables rules: .*No such file or directory/);
    expect(await host.nft.tableExists('inet', 'vntother')).toBe(false);
    expect(inNetns(ns, 'nft', ['list', 'ruleset'])).toBe(before);
  });

  it('echoes added rules with their handles so they can be deleted', async () => {
    const echoed = await host.nft.apply([{ add: acceptFrom('vnttest', 'fwd', 'virbr7') }], { echo: true });
    const rule = echoed.map((o) => (o.add as { rule?: { handle?: number } } | undefined)?.rule).find((r) => r !== undefined);
    expect(typeof rule?.handle).toBe('number');
    expect(inNetns(ns, 'nft', ['list', 'table', 'inet', 'vnttest'])).toContain('virbr7');
    await host.nft.apply([{ delete: { rule: { family: 'inet', table: 'vnttest', chain: 'fwd', handle: rule?.handle } } }]);
    expect(inNetns(ns, 'nft', ['list', 'table', 'inet', 'vnttest'])).not.toContain('virbr7');
  });

  it('refuses table names that nft would parse as syntax', async () => {
    await expect(host.nft.listTable('inet', 'x; flush ruleset')).rejects.toThrow("invalid nftables table name 'x; flush ruleset'");
    expect(await host.nft.tableExists('inet', 'vnttest')).toBe(true);
  });

  it('lists the whole ruleset and deletes the table', async () => {
    expect((await host.nft.listRuleset()).some((o) => 'table' in o)).toBe(true);
    await host.nft.apply([{ delete: table('vnttest') }]);
    expect(await host.nft.listRuleset()).toEqual([]);
  });
});
