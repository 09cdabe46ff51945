/**
 * The fake host the driver's unit tests run against: it must behave like the
 * kernel where the driver depends on it (rollback, cascading deletes, atomic
 * nft batches, absent sysctls, daemon signals) and record every call.
 */
import { describe, expect, it } from 'vitest';
import { FakeHost } from '../support/fake-host.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { clashingBridgeBatch } from '../support/link-batches.js';
import { LinkTransactionError } from '../../src/host/link-transaction.js';

describe('FakeHost links', () => {
  it('records every call', async () => {
    const host = new FakeHost({ netns: 'h1' });
    await host.links.apply([
      { op: 'createBridge', name: 'virbr0', mac: '52:54:00:01:02:03', mtu: 1400, stp: true, delay: 0 },
      { op: 'addAddress', dev: 'virbr0', address: '192.168.122.1', prefix: 24 },
      { op: 'setUp', name: 'virbr0', up: true },
    ]);
    await host.linkExists('virbr0');
    await host.facts.link('virbr0');
    await host.facts.addresses('virbr0');
    await host.facts.routes('ipv4');
    expect(host.callsOf('links', 'apply')).toHaveLength(1);
    expect(host.callsOf('facts').map((c) => c.method)).toEqual(['linkExists', 'link', 'addresses', 'routes']);
  });

  it('rolls back through the real transaction code, with the same errors as LinuxHost', async () => {
    const host = new FakeHost({ netns: 'h1' });
    await host.links.apply([{ op: 'createBridge', name: 'virbr0', stp: false, delay: 0 }]);
    const err = await host.links.apply(clashingBridgeBatch('virbr1', 'virbr0')).catch((e: unknown) => e);
    expect((err as LinkTransactionError).message).toBe('error creating bridge interface virbr0: File exists');
    expect((await host.facts.links()).map((l) => l.name)).toEqual(['lo', 'virbr0']);
    expect(await host.facts.addresses('virbr1')).toEqual([]);
    const batches = host.batch.batches.map((b) => [b.force, b.lines.map((l) => l.join(' '))]);
    expect(batches.at(-1)).toEqual([true, ['addr del 10.1.0.1/24 dev virbr1', 'link del dev virbr1']]);
  });

  it('fails injected lines and unknown link kinds the way ip reports them', async () => {
    const host = new FakeHost({ kernel: new FakeKernel({ linkTypes: ['bridge', 'veth'] }) });
    host.failLine(/^route add/, 'RTNETLINK answers: Network is unreachable');
    const err = await host.links
      .apply([
        { op: 'createBridge', name: 'virbr0', stp: false, delay: 0 },
        { op: 'setUp', name: 'virbr0', up: true },
        { op: 'addRoute', dst: '10.9.0.0', prefix: 16, dev: 'virbr0', gateway: '192.168.1.1' },
      ])
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('Error adding route to virbr0: Network is unreachable');
    expect(await host.linkExists('virbr0')).toBe(false);

    const tap = await host.links.apply([{ op: 'createTap', name: 'vnet0' }]).catch((e: unknown) => e);
    expect(tap).toBeInstanceOf(LinkTransactionError);
    await expect(host.features.requireLinkType('macvtap')).rejects.toThrow(
      "unsupported configuration: this kernel does not support link type 'macvtap'",
    );
    expect(await host.features.linkType('veth')).toBe(true);
  });
});

describe('FakeHost nftables, sysctls, daemons and faults', () => {
  it('applies nft batches all or nothing and lists tables', async () => {
    const host = new FakeHost();
    await host.nft.apply([
      { add: { table: { family: 'inet', name: 'virtnet' } } },
      { add: { chain: { family: 'inet', table: 'virtnet', name: 'fwd' } } },
    ]);
    const before = await host.nft.listRuleset();
    await expect(
      host.nft.apply([
        { add: { table: { family: 'inet', name: 'other' } } },
        { add: { rule: { family: 'inet', table: 'virtnet', chain: 'nosuch', expr: [] } } },
      ]),
    ).rejects.toThrow('internal error: Failed to apply nftables rules: Could not process rule: No such file or directory');
    expect(await host.nft.listRuleset()).toEqual(before);
    expect(await host.nft.tableExists('inet', 'other')).toBe(false);
    const echoed = await host.nft.apply([{ add: { rule: { family: 'inet', table: 'virtnet', chain: 'fwd', expr: [] } } }], { echo: true });
    const handle = (echoed[0]!.add as { rule: { handle: number } }).rule.handle;
    await host.nft.apply([{ delete: { rule: { family: 'inet', table: 'virtnet', chain: 'fwd', handle } } }]);
    expect((await host.nft.listTable('inet', 'virtnet'))?.map((o) => Object.keys(o)[0])).toEqual(['table', 'chain']);
  });

  it('models a kernel without IPv6: no IPv6 sysctls', async () => {
    const noV6 = new FakeHost({ kernel: new FakeKernel({ ipv6: false }) });
    expect(await noV6.sysctl.read('net.ipv6.conf.all.forwarding')).toBeUndefined();
    expect(await noV6.features.ipv6()).toBe(false);
  });

  it('runs pretend daemons: pid files, identity, HUP keeps them, TERM ends them, crashes', async () => {
    const host = new FakeHost({ netns: 'h1' });
    const pid = await host.processes.startDaemon({ argv: ['/usr/sbin/dnsmasq', '--conf-file=/x.conf'], pidFile: '/run/x.pid' });
    expect(await host.processes.readPidFile('/run/x.pid')).toBe(pid);
    expect(await host.processes.isRunning(pid, 'dnsmasq')).toBe(true);
    expect(await host.processes.isRunning(pid, 'sleep')).toBe(false);
    expect(await host.inNamespace('h2').processes.isRunning(pid, 'dnsmasq')).toBe(false);
    expect(await host.processes.signal(pid, 'SIGHUP')).toBe(true);
    expect(await host.processes.isRunning(pid, 'dnsmasq')).toBe(true);
    await host.processes.stop(pid, 'dnsmasq');
    expect(await host.processes.isRunning(pid, 'dnsmasq')).toBe(false);
    expect(host.processTable.processes.get(pid)?.signals).toEqual(['SIGHUP', 'SIGTERM']);

    const second = await host.processes.startDaemon({ argv: ['dnsmasq'], pidFile: '/run/y.pid' });
    host.crash(second);
    expect(await host.processes.isRunning(second, 'dnsmasq')).toBe(false);
    expect(await host.processes.signal(second, 'SIGTERM')).toBe(false);
  });

  it('fails the next call of a method on demand, after recording it', async () => {
    const host = new FakeHost();
    host.failNext('processes', 'startDaemon', new Error('dnsmasq: failed to bind'));
    await expect(host.processes.startDaemon({ argv: ['dnsmasq'], pidFile: '/run/z.pid' })).rejects.toThrow('dnsmasq: failed to bind');
    expect(host.callsOf('processes', 'startDaemon')).toHaveLength(1);
    await expect(host.processes.startDaemon({ argv: ['dnsmasq'], pidFile: '/run/z.pid' })).resolves.toBeGreaterThan(1);
  });
});
