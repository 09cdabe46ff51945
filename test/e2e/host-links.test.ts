/**
 * LinuxHost link transactions on the real kernel, inside namespaces created
 * by the fixture and always removed. Results are checked with plain
 * `ip -j -d` run through the fixture, not with the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxHost } from '../../src/host/linux.js';
import { LinkTransactionError } from '../../src/host/link-transaction.js';
import type { LinkOp } from '../../src/host/link-ops.js';
import { MemoryCommandLog } from '../../src/host/runner.js';
import { pollUntil } from '../support/poll.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';

const root = canUseNetns();

interface IpLink {
  ifname: string;
  mtu: number;
  address: string;
  flags: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string };
}

function ipLink(ns: string, name: string): IpLink | undefined {
  try {
    return (JSON.parse(inNetns(ns, 'ip', ['-j', '-d', 'link', 'show', 'dev', name])) as IpLink[])[0];
  } catch {
    return undefined;
  }
}

function ipAddrs(ns: string, dev: string): string[] {
  const out = JSON.parse(inNetns(ns, 'ip', ['-j', 'addr', 'show', 'dev', dev])) as {
    addr_info: { local: string; prefixlen: number; broadcast?: string }[];
  }[];
  return (out[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}${a.broadcast ? ` brd ${a.broadcast}` : ''}`);
}

function ipRoutes(ns: string): string[] {
  const out = JSON.parse(inNetns(ns, 'ip', ['-j', 'route', 'show'])) as { dst: string; dev: string; metric?: number; gateway?: string }[];
  return out.map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`);
}

function linkNames(ns: string): string[] {
  return (JSON.parse(inNetns(ns, 'ip', ['-j', 'link', 'show'])) as IpLink[]).map((l) => l.ifname).sort();
}

describe.skipIf(!root)('LinuxHost links in a namespace', () => {
  let ns: string;
  let other: string;
  let host: LinuxHost;
  const log = new MemoryCommandLog();

  beforeAll(async () => {
    ns = createNetns('hl');
    other = createNetns('hlo');
    host = await LinuxHost.open({ netns: ns, logger: log.logger });
  });
  afterAll(() => {
    deleteNetns(ns);
    deleteNetns(other);
  });

  it('creates a bridge with the given MAC, MTU, STP and forward delay, and the MTU survives a port joining', async () => {
    const applied = await host.links.apply([
      { op: 'createBridge', name: 'vbr0', mac: '52:54:00:12:34:56', mtu: 1400, stp: true, delay: 0 },
      { op: 'createBridge', name: 'vbr1', stp: false, delay: 5 },
      { op: 'createVeth', name: 'vport0', peer: 'vpeer0' },
      { op: 'setMaster', name: 'vport0', master: 'vbr0' },
      { op: 'setUp', name: 'vbr0', up: true },
    ]);
    const br = ipLink(ns, 'vbr0');
    expect(br?.address).toBe('52:54:00:12:34:56');
    expect(br?.mtu).toBe(1400);
    expect(br?.flags).toContain('UP');
    // STP on: the kernel raises a zero delay to its 2 s minimum (200 centiseconds).
    expect(br?.linkinfo?.info_data).toMatchObject({ stp_state: 1, forward_delay: 200 });
    expect(ipLink(ns, 'vbr1')?.linkinfo?.info_data).toMatchObject({ stp_state: 0, forward_delay: 500 });
    expect(ipLink(ns, 'vport0')?.master).toBe('vbr0');

    // The host's own parser agrees.
    const rec = await host.facts.link('vbr0');
    expect(rec).toMatchObject({ kind: 'bridge', mac: '52:54:00:12:34:56', mtu: 1400, up: true });
    expect(rec?.bridge).toMatchObject({ stp: true, forwardDelayCs: 200, vlanFiltering: false });
    expect((await host.facts.link('vport0'))?.master).toBe('vbr0');

    // Every command was logged with its argv, duration and exit code.
    const batch = log.entries.find((e) => e.argv.includes('-batch') && e.input?.includes('vbr0'));
    expect(batch?.argv.slice(0, 3)).toEqual(['ip', '-n', ns]);
    expect(batch?.exitCode).toBe(0);
    expect(typeof batch?.durationMs).toBe('number');

    // The undo script removes everything again.
    const reverted = await host.links.revert(applied.undo);
    expect(reverted.failures).toEqual([]);
    expect(linkNames(ns)).toEqual(['lo']);
  });

  it('rolls back exactly what a failing batch applied, leaving what existed before', async () => {
    inNetns(ns, 'ip', ['link', 'add', 'keep0', 'type', 'bridge']);
    inNetns(ns, 'ip', ['addr', 'add', '10.9.0.1/24', 'dev', 'keep0']);
    inNetns(ns, 'ip', ['link', 'set', 'keep0', 'up']);
    const before = { links: linkNames(ns), addrs: ipAddrs(ns, 'keep0'), routes: ipRoutes(ns) };

    const err = await host.links
      .apply([
        { op: 'createBridge', name: 'vbr2', stp: true, delay: 0 },
        { op: 'addAddress', dev: 'vbr2', address: '192.168.77.1', prefix: 24 },
        { op: 'addAddress', dev: 'keep0', address: '10.9.1.1', prefix: 24 },
        { op: 'addRoute', dst: '10.50.0.0', prefix: 16, dev: 'keep0', metric: 7 },
        { op: 'setUp', name: 'vbr2', up: true },
        { op: 'createBridge', name: 'keep0', stp: true, delay: 0 },
        { op: 'addAddress', dev: 'vbr2', address: '192.168.78.1', prefix: 24 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkTransactionError);
    expect((err as LinkTransactionError).message).toBe('error creating bridge interface keep0: File exists');
    expect((err as LinkTransactionError).errorClass).toBe('SYSTEM_ERROR');
    expect((err as LinkTransactionError).rollbackFailures).toEqual([]);

    expect(linkNames(ns)).toEqual(before.links);
    expect(ipAddrs(ns, 'keep0')).toEqual(before.addrs);
    expect(ipRoutes(ns)).toEqual(before.routes);
    inNetns(ns, 'ip', ['link', 'del', 'keep0']);
  });

  it('adds addresses with libvirt broadcast and routes with a metric, and reads them back as facts', async () => {
    const applied = await host.links.apply([
      { op: 'createBridge', name: 'vbr3', stp: false, delay: 0 },
      { op: 'addAddress', dev: 'vbr3', address: '192.168.100.1', prefix: 24 },
      { op: 'addAddress', dev: 'vbr3', address: '2001:db8:ca2:2::1', prefix: 64 },
      { op: 'setUp', name: 'vbr3', up: true },
      { op: 'addRoute', dst: '10.20.0.0', prefix: 16, dev: 'vbr3', gateway: '192.168.100.2', metric: 5 },
      { op: 'addRoute', dst: '10.30.0.0', prefix: 16, dev: 'vbr3' },
      { op: 'addRoute', dst: '2001:db8:ff::', prefix: 48, dev: 'vbr3', metric: 9 },
    ]);
    expect(ipAddrs(ns, 'vbr3')).toContain('192.168.100.1/24 brd 192.168.100.255');
    expect(ipRoutes(ns)).toContain('10.20.0.0/16 via 192.168.100.2 dev vbr3 metric 5');

    const addrs = await host.facts.addresses('vbr3');
    expect(addrs.filter((a) => a.scope === 'global').map((a) => `${a.address}/${a.prefix}`)).toEqual(['192.168.100.1/24', '2001:db8:ca2:2::1/64']);
    await host.facts.waitForDad(['2001:db8:ca2:2::1'], 5000);
    expect((await host.facts.addresses('vbr3')).find((a) => a.address === '2001:db8:ca2:2::1')?.tentative).toBe(false);

    const routes = await host.facts.routes();
    expect(routes).toContainEqual(
      expect.objectContaining({ family: 'ipv4', dst: '10.20.0.0', prefix: 16, dev: 'vbr3', gateway: '192.168.100.2', metric: 5 }),
    );
    expect(routes).toContainEqual(expect.objectContaining({ family: 'ipv4', dst: '192.168.100.0', prefix: 24, dev: 'vbr3', protocol: 'kernel' }));
    expect(routes).toContainEqual(expect.objectContaining({ family: 'ipv6', dst: '2001:db8:ff::', prefix: 48, dev: 'vbr3', metric: 9 }));

    expect((await host.links.revert(applied.undo)).failures).toEqual([]);
    expect(linkNames(ns)).toEqual(['lo']);
    expect(ipRoutes(ns)).toEqual([]);
  });

  it('creates veth pairs (one end in another namespace), persistent taps and macvlan/macvtap devices', async () => {
    const applied = await host.links.apply([
      { op: 'createBridge', name: 'vbr4', stp: false, delay: 0 },
      { op: 'createVeth', name: 'vnet0', peer: 'eth0', peerNetns: other, peerMac: '52:54:00:aa:00:01' },
      { op: 'setMaster', name: 'vnet0', master: 'vbr4' },
      { op: 'createTap', name: 'vtap0', mac: '52:54:00:aa:00:02', mtu: 1450, vnetHdr: true },
      { op: 'createMacvlan', kind: 'macvlan', name: 'mvl0', parent: 'vbr4', mode: 'private' },
      { op: 'createMacvlan', kind: 'macvtap', name: 'mvt0', parent: 'vbr4', mode: 'vepa', mac: '52:54:00:aa:00:03' },
    ]);
    expect(ipLink(other, 'eth0')?.address).toBe('52:54:00:aa:00:01');
    const tap = await host.facts.link('vtap0');
    expect(tap).toMatchObject({ kind: 'tun', mac: '52:54:00:aa:00:02', mtu: 1450 });
    expect(tap?.tun).toMatchObject({ type: 'tap', persist: true, vnetHdr: true });
    expect(await host.facts.link('mvl0')).toMatchObject({ kind: 'macvlan', parent: 'vbr4', macvlanMode: 'private' });
    expect(await host.facts.link('mvt0')).toMatchObject({ kind: 'macvtap', parent: 'vbr4', macvlanMode: 'vepa', mac: '52:54:00:aa:00:03' });
    const veth = await host.facts.link('vnet0');
    expect(veth).toMatchObject({ kind: 'veth', master: 'vbr4', slaveKind: 'bridge' });
    expect(veth?.parent).toBeUndefined();
    expect(typeof veth?.parentNetnsId).toBe('number');

    expect((await host.links.revert(applied.undo)).failures).toEqual([]);
    expect(linkNames(ns)).toEqual(['lo']);
    // Deleting our end removed the peer in the other namespace too.
    expect(linkNames(other)).toEqual(['lo']);
  });

  it('moves a link into another namespace under a new name, and the undo brings it back', async () => {
    const applied = await host.links.apply([
      { op: 'createVeth', name: 'vnet1', peer: 'vg1' },
      { op: 'moveToNetns', name: 'vg1', netns: other, newName: 'eth1' },
    ]);
    expect(linkNames(other)).toContain('eth1');
    expect(await host.linkExists('vg1')).toBe(false);
    // Undo only the move: vg1 returns here.
    const moveUndo = applied.undo.filter((l) => l.netns === other);
    expect((await host.links.revert(moveUndo)).failures).toEqual([]);
    expect(await host.linkExists('vg1')).toBe(true);
    expect(linkNames(other)).toEqual(['lo']);
    await host.links.revert(applied.undo.filter((l) => l.netns !== other));
    expect(linkNames(ns)).toEqual(['lo']);
  });

  it('answers linkExists and lists links', async () => {
    expect(await host.linkExists('lo')).toBe(true);
    expect(await host.linkExists('virbr0')).toBe(false);
    expect(await host.linkExists('bad/name')).toBe(false);
    const links = await host.facts.links();
    expect(links.map((l) => l.name)).toEqual(['lo']);
    expect(links[0]).toMatchObject({ linkType: 'loopback', up: true });
  });

  it('counts undoing something already gone as done, and names the failing step with the kernel reason', async () => {
    const applied = await host.links.apply([{ op: 'createBridge', name: 'vbr5', stp: false, delay: 0 }]);
    inNetns(ns, 'ip', ['link', 'del', 'vbr5']);
    expect((await host.links.revert(applied.undo)).failures).toEqual([]);

    const err = await host.links
      .apply([
        { op: 'createBridge', name: 'vbr6', stp: false, delay: 0 },
        { op: 'setMtu', name: 'vbr6', mtu: 10 },
      ])
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe("Cannot set interface MTU on 'vbr6': mtu less than device minimum");
    expect(linkNames(ns)).toEqual(['lo']);
  });

  it('watches links closing on their way out: every bridge of a group deletion before the deletion is over', async () => {
    const seen: { name: string; at: number }[] = [];
    const watch = host.links.watchClosing!((name) => seen.push({ name, at: Date.now() }));
    try {
      // The watch reports nothing from before it runs: a lone probe bridge, deleted until it is seen.
      await pollUntil(
        async () => {
          await host.links.apply([
            { op: 'createBridge', name: 'vprobe', stp: false, delay: 0 },
            { op: 'setUp', name: 'vprobe', up: true },
          ]);
          await host.links.deleteLinks(['vprobe']);
          return seen.some((s) => s.name === 'vprobe');
        },
        { ms: 10_000, everyMs: 50, what: 'the link watch to run' },
      );
      const names = ['vbr20', 'vbr21', 'vbr22'];
      await host.links.apply(
        names.flatMap((name): LinkOp[] => [
          { op: 'createBridge', name, stp: false, delay: 0 },
          { op: 'setUp', name, up: true },
        ]),
      );
      seen.length = 0;
      await host.links.deleteLinks(names);
      const over = Date.now();
      expect(linkNames(ns)).toEqual(['lo']);
      for (const name of names) {
        const first = seen.find((s) => s.name === name);
        expect(first, name).toBeDefined();
        expect(first!.at).toBeLessThanOrEqual(over);
      }
    } finally {
      await watch.close();
    }
  });
});
