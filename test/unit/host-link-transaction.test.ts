/**
 * Link operations as `ip -batch` lines with their undo lines, and the
 * transaction around them, driven through LinuxHost with a scripted command
 * runner standing in for ip: which lines are sent, what is undone when line N
 * fails, and which errors come out.
 */
import { describe, expect, it } from 'vitest';
import { parseBatchStderr } from '../../src/host/ip-batch.js';
import { SELF_NETNS, batchLine, stepsFor, stepsForAll } from '../../src/host/link-ops.js';
import { LinkTransactionError, isAlreadyGone } from '../../src/host/link-transaction.js';
import { LinuxHost } from '../../src/host/linux.js';
import type { CommandSpec } from '../../src/host/runner.js';
import { ScriptedRunner } from './support/scripted-runner.js';

const lines = (spec: CommandSpec | undefined): string[] => (spec?.input ?? '').split('\n').filter((l) => l !== '');

describe('link operations as batch lines', () => {
  it('creates a bridge with MAC, delay in centiseconds and STP in one line, and the MTU in a line of its own', () => {
    const steps = stepsFor({ op: 'createBridge', name: 'virbr1', mac: '52:54:00:AB:CD:EF', mtu: 9000, stp: true, delay: 3 }, 0, 'ns1');
    expect(steps.map((s) => batchLine(s.args))).toEqual([
      'link add name virbr1 address 52:54:00:ab:cd:ef type bridge forward_delay 300 stp_state 1',
      'link set dev virbr1 mtu 9000',
    ]);
    expect(steps[0]?.undo).toEqual([{ netns: 'ns1', args: ['link', 'del', 'dev', 'virbr1'] }]);
    expect(steps[1]?.undo).toEqual([]);
    expect(steps.map((s) => s.what)).toEqual(['error creating bridge interface virbr1', "Cannot set interface MTU on 'virbr1'"]);
  });

  it('writes addresses with the IPv4 broadcast libvirt sets, and routes with gateway and metric', () => {
    const steps = stepsForAll(
      [
        { op: 'addAddress', dev: 'virbr1', address: '192.168.122.1', prefix: 24 },
        { op: 'addAddress', dev: 'virbr1', address: '2001:DB8::0:1', prefix: 64 },
        { op: 'addRoute', dst: '10.0.0.0', prefix: 8, dev: 'virbr1', gateway: '192.168.122.2', metric: 1 },
        { op: 'removeRoute', dst: '2001:db8:1::', prefix: 48, dev: 'virbr1' },
      ],
      null,
    );
    expect(steps.map((s) => batchLine(s.args))).toEqual([
      'addr add 192.168.122.1/24 broadcast 192.168.122.255 dev virbr1',
      'addr add 2001:db8::1/64 dev virbr1',
      'route add 10.0.0.0/8 via 192.168.122.2 dev virbr1 metric 1',
      'route del 2001:db8:1::/48 dev virbr1',
    ]);
    expect(steps.map((s) => s.undo.map((u) => batchLine(u.args)))).toEqual([
      ['addr del 192.168.122.1/24 dev virbr1'],
      ['addr del 2001:db8::1/64 dev virbr1'],
      ['route del 10.0.0.0/8 via 192.168.122.2 dev virbr1 metric 1'],
      ['route add 2001:db8:1::/48 dev virbr1'],
    ]);
    expect(steps[0]?.what).toBe('Failed to add IP address 192.168.122.1/24 bcast 192.168.122.255 to virbr1');
    expect(steps[2]?.what).toBe('Error adding route to virbr1');
  });

  it('creates veth pairs, taps and macvtaps, plugs into bridges and moves links to other namespaces', () => {
    const text = (op: Parameters<typeof stepsFor>[0]) =>
      stepsFor(op, 0, 'host1').map((s) => [batchLine(s.args), s.undo.map((u) => `${u.netns}: ${batchLine(u.args)}`)]);
    expect(text({ op: 'createVeth', name: 'vnet0', peer: 'eth0', peerNetns: 'guest1', peerMac: '52:54:00:00:00:01' })).toEqual([
      ['link add name vnet0 type veth peer name eth0 address 52:54:00:00:00:01 netns guest1', ['host1: link del dev vnet0']],
    ]);
    expect(text({ op: 'createTap', name: 'vnet1', mac: '52:54:00:00:00:02', user: 'qemu', vnetHdr: true })).toEqual([
      ['tuntap add dev vnet1 mode tap user qemu vnet_hdr', ['host1: link del dev vnet1']],
      ['link set dev vnet1 address 52:54:00:00:00:02', []],
    ]);
    expect(text({ op: 'createMacvlan', kind: 'macvtap', name: 'macvtap0', parent: 'eth0', mode: 'passthru' })).toEqual([
      ['link add link eth0 name macvtap0 type macvtap mode passthru', ['host1: link del dev macvtap0']],
    ]);
    expect(text({ op: 'setMaster', name: 'vnet0', master: 'virbr0' })).toEqual([
      ['link set dev vnet0 master virbr0', ['host1: link set dev vnet0 nomaster']],
    ]);
    expect(text({ op: 'setMaster', name: 'vnet0', master: 'virbr1', previous: 'virbr0' })).toEqual([
      ['link set dev vnet0 master virbr1', ['host1: link set dev vnet0 master virbr0']],
    ]);
    expect(text({ op: 'moveToNetns', name: 'vg0', netns: 'guest1', newName: 'eth0' })).toEqual([
      ['link set dev vg0 netns guest1 name eth0', [`guest1: link set dev eth0 netns ${SELF_NETNS} name vg0`]],
    ]);
  });

  it('refuses names and values that are not valid or would break a batch line', () => {
    expect(() => stepsFor({ op: 'deleteLink', name: 'a name' }, 0, null)).toThrow("internal error: invalid network interface name 'a name'");
    expect(() => stepsFor({ op: 'deleteLink', name: 'x#comment' }, 0, null)).toThrow('invalid network interface name');
    expect(() => stepsFor({ op: 'deleteLink', name: 'sixteen-chars-xx' }, 0, null)).toThrow('invalid network interface name');
    expect(() => stepsFor({ op: 'setMac', name: 'br0', mac: '52:54:00:00:00' }, 0, null)).toThrow("invalid MAC address '52:54:00:00:00'");
    expect(() => stepsFor({ op: 'addAddress', dev: 'br0', address: '10.0.0.300', prefix: 24 }, 0, null)).toThrow("invalid IP address '10.0.0.300'");
    expect(() => stepsFor({ op: 'addAddress', dev: 'br0', address: '10.0.0.1', prefix: 33 }, 0, null)).toThrow("invalid prefix '33'");
    expect(() => stepsFor({ op: 'createTap', name: 'tap0', user: 'a b' }, 0, null)).toThrow("invalid token 'a b'");
    expect(() => stepsFor({ op: 'createBridge', name: 'br0', stp: true, delay: -1 }, 0, null)).toThrow('invalid bridge forward delay');
    expect(() => stepsFor({ op: 'addRoute', dst: '10.0.0.0', prefix: 8, dev: 'br0', gateway: 'fe80::1' }, 0, null)).toThrow(
      "route gateway 'fe80::1' is not in the family of '10.0.0.0/8'",
    );
  });
});

describe('parsing ip batch failures', () => {
  it('numbers each failure and keeps its reason', () => {
    const stderr = [
      'RTNETLINK answers: File exists',
      'Command failed -:1',
      'Error: ipv4: Address already assigned.',
      'Command failed -:3',
      'Cannot find device "nosuch"',
      'Command failed -:4',
      '',
    ].join('\n');
    expect(parseBatchStderr(stderr)).toEqual([
      { line: 1, reason: 'File exists' },
      { line: 3, reason: 'ipv4: Address already assigned' },
      { line: 4, reason: 'Cannot find device "nosuch"' },
    ]);
    expect(parseBatchStderr('Cannot open network namespace "x": No such file or directory\n')).toEqual([]);
  });

  it('treats vanished targets as already undone, and nothing else', () => {
    expect(isAlreadyGone('Cannot find device "vnet0"')).toBe(true);
    expect(isAlreadyGone('No such process')).toBe(true);
    expect(isAlreadyGone('ipv6: address not found')).toBe(true);
    expect(isAlreadyGone('Cannot assign requested address')).toBe(true);
    expect(isAlreadyGone('Operation not permitted')).toBe(false);
    expect(isAlreadyGone('Device or resource busy')).toBe(false);
  });
});

describe('link transactions through LinuxHost', () => {
  const ops = [
    { op: 'createBridge', name: 'virbr5', mac: '52:54:00:00:00:05', mtu: 1400, stp: true, delay: 0 },
    { op: 'addAddress', dev: 'virbr5', address: '192.168.5.1', prefix: 24 },
    { op: 'setUp', name: 'virbr5', up: true },
    { op: 'addRoute', dst: '10.5.0.0', prefix: 16, dev: 'virbr5' },
  ] as const;

  it('sends all lines in one batch in the bound namespace and returns the undo script, newest first', async () => {
    const runner = new ScriptedRunner();
    const host = new LinuxHost({ netns: 'vnt-unit', runner });
    const applied = await host.links.apply(ops);
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]?.argv).toEqual(['ip', '-n', 'vnt-unit', '-batch', '-']);
    expect(lines(runner.calls[0])).toEqual([
      'link add name virbr5 address 52:54:00:00:00:05 type bridge forward_delay 0 stp_state 1',
      'link set dev virbr5 mtu 1400',
      'addr add 192.168.5.1/24 broadcast 192.168.5.255 dev virbr5',
      'link set dev virbr5 up',
      'route add 10.5.0.0/16 dev virbr5',
    ]);
    expect(applied.undo.map((u) => batchLine(u.args))).toEqual([
      'route del 10.5.0.0/16 dev virbr5',
      'link set dev virbr5 down',
      'addr del 192.168.5.1/24 dev virbr5',
      'link del dev virbr5',
    ]);
    expect(applied.undo.every((u) => u.netns === 'vnt-unit')).toBe(true);
    expect(JSON.parse(JSON.stringify(applied))).toEqual(applied);
  });

  it('undoes exactly the lines before the failing one, in reverse, and throws that step’s error', async () => {
    const runner = new ScriptedRunner([{ exitCode: 1, stderr: 'Error: ipv4: Address already assigned.\nCommand failed -:3\n' }]);
    const host = new LinuxHost({ netns: 'vnt-unit', runner });
    const err = await host.links.apply(ops).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkTransactionError);
    expect((err as LinkTransactionError).message).toBe(
      'Failed to add IP address 192.168.5.1/24 bcast 192.168.5.255 to virbr5: ipv4: Address already assigned',
    );
    expect((err as LinkTransactionError).errorClass).toBe('SYSTEM_ERROR');
    expect((err as LinkTransactionError).reason).toBe('ipv4: Address already assigned');
    expect(runner.calls).toHaveLength(2);
    expect(runner.calls[1]?.argv).toEqual(['ip', '-n', 'vnt-unit', '-force', '-batch', '-']);
    // Lines 1 and 2 were applied: the MTU line has no undo of its own, the bridge is deleted.
    expect(lines(runner.calls[1])).toEqual(['link del dev virbr5']);
  });

  it('undoes nothing when the first line fails, and names an unknown link kind in plain words', async () => {
    const runner = new ScriptedRunner([{ exitCode: 1, stderr: 'Error: Unknown device type.\nCommand failed -:1\n' }]);
    const host = new LinuxHost({ netns: 'vnt-unit', runner });
    const err = await host.links
      .apply([{ op: 'createMacvlan', kind: 'macvtap', name: 'macvtap0', parent: 'eth0', mode: 'vepa' }])
      .catch((e: unknown) => e);
    expect((err as LinkTransactionError).message).toBe("unsupported configuration: this kernel does not support link type 'macvtap'");
    expect(runner.calls).toHaveLength(1);
  });

  it('undoes everything when ip dies without saying which line failed, and reports undo failures', async () => {
    const runner = new ScriptedRunner([
      { exitCode: null, signal: 'SIGKILL', stderr: '' },
      {
        exitCode: 1,
        stderr: 'RTNETLINK answers: No such process\nCommand failed -:1\nRTNETLINK answers: Operation not permitted\nCommand failed -:4\n',
      },
    ]);
    const host = new LinuxHost({ netns: 'vnt-unit', runner });
    const err = await host.links.apply(ops).catch((e: unknown) => e);
    expect((err as LinkTransactionError).message).toBe('Failed to apply link changes: ip batch failed');
    expect(lines(runner.calls[1])).toEqual([
      'route del 10.5.0.0/16 dev virbr5',
      'link set dev virbr5 down',
      'addr del 192.168.5.1/24 dev virbr5',
      'link del dev virbr5',
    ]);
    // The missing route counts as undone; the refused deletion does not.
    expect((err as LinkTransactionError).rollbackFailures).toEqual([
      { line: { netns: 'vnt-unit', args: ['link', 'del', 'dev', 'virbr5'] }, reason: 'Operation not permitted' },
    ]);
  });

  it('runs an undo script one forced batch per namespace and resolves the self-namespace placeholder', async () => {
    const runner = new ScriptedRunner();
    const bound = new LinuxHost({ netns: 'host1', runner });
    await bound.links.revert([
      { netns: 'guest1', args: ['link', 'set', 'dev', 'eth0', 'netns', SELF_NETNS, 'name', 'vg0'] },
      { netns: 'host1', args: ['link', 'del', 'dev', 'vg0'] },
      { netns: 'host1', args: ['link', 'del', 'dev', 'vnet0'] },
    ]);
    expect(runner.calls.map((c) => [c.argv.join(' '), lines(c)])).toEqual([
      ['ip -n guest1 -force -batch -', ['link set dev eth0 netns host1 name vg0']],
      ['ip -n host1 -force -batch -', ['link del dev vg0', 'link del dev vnet0']],
    ]);

    const unbound = new LinuxHost({ runner });
    await unbound.links.revert([{ netns: 'guest1', args: ['link', 'set', 'dev', 'eth0', 'netns', SELF_NETNS] }]);
    expect(runner.calls.at(-1)?.argv).toEqual(['ip', '-n', 'guest1', '-force', '-batch', '-']);
    expect(lines(runner.calls.at(-1))).toEqual([`link set dev eth0 netns ${process.pid}`]);
  });

  it('does nothing for an empty list of operations', async () => {
    const runner = new ScriptedRunner();
    expect(await new LinuxHost({ runner }).links.apply([])).toEqual({ undo: [] });
    expect(runner.calls).toEqual([]);
  });
});
