/**
 * The Host contract: the same cases run against the in-memory FakeHost the
 * unit tests use (test/support/fake-host.ts) and against LinuxHost on the
 * real kernel, in namespaces created here and always removed. Where they
 * part, the fake is wrong: the driver's unit tests trust it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/host/host.js';
import { LinkTransactionError } from '../../src/host/link-transaction.js';
import { LinuxHost } from '../../src/host/linux.js';
import { MemoryCommandLog } from '../../src/host/runner.js';
import { ipv6ConfKey } from '../../src/host/sysctl.js';
import { FakeHost } from '../support/fake-host.js';
import { clashingBridgeBatch } from '../support/link-batches.js';
import { canUseNetns, createNetns, deleteNetns } from './netns.js';

/** A host in one namespace and a second namespace beside it. */
interface Pair {
  host: Host;
  /** The same kind of host in the second namespace. */
  other: Host;
  otherName: string;
  dispose(): void;
}

const makers: [string, (() => Promise<Pair>) | undefined][] = [
  [
    'FakeHost',
    async () => {
      const host = new FakeHost({ netns: 'hc1' });
      return { host, other: host.inNamespace('hc2'), otherName: 'hc2', dispose: () => undefined };
    },
  ],
  [
    'LinuxHost',
    canUseNetns()
      ? async () => {
          const log = new MemoryCommandLog();
          const ns = createNetns('hc1');
          const otherName = createNetns('hc2');
          const host = await LinuxHost.open({ netns: ns, logger: log.logger });
          const other = await LinuxHost.open({ netns: otherName, logger: log.logger });
          return {
            host,
            other,
            otherName,
            dispose: () => {
              deleteNetns(ns);
              deleteNetns(otherName);
            },
          };
        }
      : undefined,
  ],
];

const names = async (host: Host): Promise<string[]> => (await host.facts.links()).map((l) => l.name).sort();

describe.each(makers)('the Host contract: %s', (_kind, make) => {
  let pair: Pair;
  beforeAll(async () => {
    if (make) pair = await make();
  });
  afterAll(() => pair?.dispose());

  it.skipIf(!make)('creates a bridge with its MAC, MTU and STP (forward delay at least 2 s), its address and its kernel route', async () => {
    const { host } = pair;
    const applied = await host.links.apply([
      { op: 'createBridge', name: 'hcbr0', mac: '52:54:00:01:02:03', mtu: 1400, stp: true, delay: 0 },
      { op: 'addAddress', dev: 'hcbr0', address: '192.168.150.1', prefix: 24 },
      { op: 'setUp', name: 'hcbr0', up: true },
    ]);
    expect(await host.linkExists('hcbr0')).toBe(true);
    expect(await host.facts.link('hcbr0')).toMatchObject({
      kind: 'bridge',
      mac: '52:54:00:01:02:03',
      mtu: 1400,
      up: true,
      bridge: { stp: true, forwardDelayCs: 200 },
    });
    expect(await host.facts.addresses('hcbr0')).toEqual([
      expect.objectContaining({ family: 'ipv4', address: '192.168.150.1', prefix: 24, dev: 'hcbr0', broadcast: '192.168.150.255' }),
    ]);
    expect(await host.facts.routes('ipv4')).toContainEqual(expect.objectContaining({ dst: '192.168.150.0', prefix: 24, dev: 'hcbr0' }));
    expect((await host.links.revert(applied.undo)).failures).toEqual([]);
    expect(await names(host)).toEqual(['lo']);
  });

  it.skipIf(!make)('rolls a failing batch back and names the failing step with the kernel reason', async () => {
    const { host } = pair;
    const first = await host.links.apply([{ op: 'createBridge', name: 'hcbr0', stp: false, delay: 0 }]);
    const err = await host.links.apply(clashingBridgeBatch('hcbr1', 'hcbr0')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkTransactionError);
    expect((err as LinkTransactionError).message).toBe('error creating bridge interface hcbr0: File exists');
    expect(await names(host)).toEqual(['hcbr0', 'lo']);
    await host.links.revert(first.undo);
  });

  it.skipIf(!make)('deletes in cascade: a veth peer in another namespace and a macvtap on the bridge go with them', async () => {
    const { host, other, otherName } = pair;
    const applied = await host.links.apply([
      { op: 'createBridge', name: 'hcbr0', stp: false, delay: 0 },
      { op: 'createVeth', name: 'hcv0', peer: 'eth0', peerNetns: otherName },
      { op: 'setMaster', name: 'hcv0', master: 'hcbr0' },
      { op: 'createMacvlan', kind: 'macvtap', name: 'hcmt0', parent: 'hcbr0', mode: 'bridge' },
    ]);
    expect(await other.linkExists('eth0')).toBe(true);
    expect((await host.facts.link('hcv0'))?.master).toBe('hcbr0');
    expect((await host.links.revert(applied.undo)).failures).toEqual([]);
    expect(await names(host)).toEqual(['lo']);
    expect(await other.linkExists('eth0')).toBe(false);
  });

  it.skipIf(!make)('moves a link into another namespace under a new name, and the undo brings it back', async () => {
    const { host, other, otherName } = pair;
    const applied = await host.links.apply([
      { op: 'createVeth', name: 'hcv0', peer: 'hcg0' },
      { op: 'moveToNetns', name: 'hcg0', netns: otherName, newName: 'eth1' },
    ]);
    expect(await other.linkExists('eth1')).toBe(true);
    expect(await host.linkExists('hcg0')).toBe(false);
    await host.links.revert(applied.undo.slice(0, 1));
    expect(await host.linkExists('hcg0')).toBe(true);
    expect(await other.linkExists('eth1')).toBe(false);
    await host.links.deleteLinks(['hcv0']);
    expect(await names(host)).toEqual(['lo']);
  });

  it.skipIf(!make)('applies an nft batch all or nothing', async () => {
    const { host } = pair;
    await host.nft.apply([
      { add: { table: { family: 'inet', name: 'hctest' } } },
      { add: { chain: { family: 'inet', table: 'hctest', name: 'fwd' } } },
    ]);
    const before = await host.nft.listTable('inet', 'hctest');
    await expect(
      host.nft.apply([
        { add: { table: { family: 'inet', name: 'hcother' } } },
        { add: { rule: { family: 'inet', table: 'hctest', chain: 'nosuch', expr: [] } } },
      ]),
    ).rejects.toThrow(/Failed to apply nftables rules: .*No such file or directory/);
    expect(await host.nft.tableExists('inet', 'hcother')).toBe(false);
    expect(await host.nft.listTable('inet', 'hctest')).toEqual(before);
    await host.nft.apply([{ delete: { table: { family: 'inet', name: 'hctest' } } }]);
    expect(await host.nft.tableExists('inet', 'hctest')).toBe(false);
  });

  it.skipIf(!make)('keeps sysctls per namespace, per-device keys coming and going with the device', async () => {
    const { host, other } = pair;
    expect(await host.sysctl.write('net.ipv4.ip_forward', '1')).toBe(true);
    expect(await host.sysctl.read('net.ipv4.ip_forward')).toBe('1');
    expect(await other.sysctl.read('net.ipv4.ip_forward')).toBe('0');
    expect(await host.sysctl.write(ipv6ConfKey('hcbr0', 'disable_ipv6'), '1')).toBe(false);
    const applied = await host.links.apply([{ op: 'createBridge', name: 'hcbr0', stp: false, delay: 0 }]);
    expect(await host.sysctl.writeMany([{ key: ipv6ConfKey('hcbr0', 'disable_ipv6'), value: '1' }])).toEqual([true]);
    expect(await host.sysctl.read(ipv6ConfKey('hcbr0', 'disable_ipv6'))).toBe('1');
    await host.links.revert(applied.undo);
    expect(await host.sysctl.read(ipv6ConfKey('hcbr0', 'disable_ipv6'))).toBeUndefined();
    await expect(host.sysctl.write('net.ipv4.ip_forward', 'yes')).rejects.toThrow(
      "cannot write to '/proc/sys/net/ipv4/ip_forward': Invalid argument",
    );
  });
});
