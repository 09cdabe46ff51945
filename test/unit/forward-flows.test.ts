/**
 * Which tracked UDP flows a port forward change makes stale
 * (src/plan/forward-flows.ts), the conntrack lines that forget them, and
 * ConntrackFlows (src/driver/runtime/conntrack.ts) running them in the
 * namespace, or warning once when conntrack is missing.
 */
import { describe, expect, it } from 'vitest';
import type { PortForwardDef } from '../../src/conf/network/port-forward-types.js';
import { conntrackDeleteArgs, conntrackDeleteFlowArgs, parseUdpFlows, staleUdpFlows } from '../../src/plan/forward-flows.js';
import { ConntrackFlows, NO_CONNTRACK_WARNING } from '../../src/driver/runtime/conntrack.js';
import { MissingProgramRunner, ScriptedRunner } from './support/scripted-runner.js';

const udp = (port: number, end = port, extra: Partial<PortForwardDef> = {}): PortForwardDef => ({
  proto: 'udp',
  port: { start: port, end },
  to: '192.168.70.5',
  ...extra,
});

describe('conntrackDeleteArgs', () => {
  it('one port on every address: the original destination port alone', () => {
    expect(conntrackDeleteArgs({ port: { start: 51820, end: 51820 } })).toEqual([['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', '51820']]);
  });

  it('one port on one address: that original destination too', () => {
    expect(conntrackDeleteArgs({ address: '198.51.100.2', port: { start: 5353, end: 5353 } })).toEqual([
      ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', '5353', '--orig-dst', '198.51.100.2'],
    ]);
  });

  it('a range: one line per port (conntrack matches one port at a time)', () => {
    expect(conntrackDeleteArgs({ address: '198.51.100.2', port: { start: 6000, end: 6002 } })).toEqual(
      ['6000', '6001', '6002'].map((p) => ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', p, '--orig-dst', '198.51.100.2']),
    );
  });
});

/** A `conntrack -L -f ipv4 -p udp` listing: two flows to 198.51.100.2 (one answered), one to another address. */
const LISTING =
  'udp      17 29 src=203.0.113.9 dst=198.51.100.2 sport=40000 dport=6005 [UNREPLIED] src=192.168.70.5 dst=203.0.113.9 sport=6005 dport=40000 mark=0 use=1\n' +
  'udp      17 118 src=203.0.113.9 dst=198.51.100.2 sport=40001 dport=7000 src=192.168.70.5 dst=203.0.113.9 sport=7000 dport=40001 [ASSURED] mark=0 use=1\n' +
  'udp      17 20 src=203.0.113.9 dst=198.51.100.3 sport=40002 dport=6010 [UNREPLIED] src=198.51.100.3 dst=203.0.113.9 sport=6010 dport=40002 mark=0 use=1\n';

describe('the tracked flows of a wide range', () => {
  it('are read from the listing by their original direction', () => {
    expect(parseUdpFlows(`${LISTING}\n`)).toEqual([
      { src: '203.0.113.9', dst: '198.51.100.2', sport: 40000, dport: 6005 },
      { src: '203.0.113.9', dst: '198.51.100.2', sport: 40001, dport: 7000 },
      { src: '203.0.113.9', dst: '198.51.100.3', sport: 40002, dport: 6010 },
    ]);
    expect(parseUdpFlows('')).toEqual([]);
  });

  it('are deleted one by one, those in a range (on its address, when it has one) only', () => {
    const flows = parseUdpFlows(LISTING);
    expect(conntrackDeleteFlowArgs(flows, [{ port: { start: 6000, end: 6099 } }]).map((a) => a.join(' '))).toEqual([
      '-D -f ipv4 -p udp --orig-src 203.0.113.9 --orig-dst 198.51.100.2 --orig-port-src 40000 --orig-port-dst 6005',
      '-D -f ipv4 -p udp --orig-src 203.0.113.9 --orig-dst 198.51.100.3 --orig-port-src 40002 --orig-port-dst 6010',
    ]);
    expect(conntrackDeleteFlowArgs(flows, [{ address: '198.51.100.2', port: { start: 6000, end: 7000 } }]).map((a) => a[10])).toEqual([
      '40000',
      '40001',
    ]);
    expect(conntrackDeleteFlowArgs(flows, [{ port: { start: 8000, end: 9000 } }])).toEqual([]);
  });
});

describe('staleUdpFlows', () => {
  it('an added or removed UDP forward (udp or both) makes its flows stale, with its listen address', () => {
    const kept = udp(7000);
    expect(staleUdpFlows([kept], [kept, udp(5353, 5353, { address: '198.51.100.2' })])).toEqual([
      { address: '198.51.100.2', port: { start: 5353, end: 5353 } },
    ]);
    expect(staleUdpFlows([kept, udp(6000, 6010, { proto: 'both' })], [kept])).toEqual([{ port: { start: 6000, end: 6010 } }]);
  });

  it('a named forward whose target moves (or gets its first address, or loses it) makes its flows stale', () => {
    const at = (toAddress?: string): PortForwardDef => udp(51820, 51820, { to: 'vpn', ...(toAddress ? { toAddress } : {}) });
    const stale = [{ port: { start: 51820, end: 51820 } }];
    expect(staleUdpFlows([at('192.168.70.5')], [at('192.168.70.6')])).toEqual(stale);
    expect(staleUdpFlows([at()], [at('192.168.70.6')])).toEqual(stale);
    expect(staleUdpFlows([at('192.168.70.5')], [at()])).toEqual(stale);
    expect(staleUdpFlows([at('192.168.70.5')], [at('192.168.70.5')])).toEqual([]);
  });

  it('TCP forwards, and named ones that point nowhere, leave every flow alone', () => {
    expect(staleUdpFlows([], [udp(2222, 2222, { proto: 'tcp' })])).toEqual([]);
    expect(staleUdpFlows([udp(2222, 2222, { proto: 'tcp' })], [])).toEqual([]);
    expect(staleUdpFlows([], [udp(51820, 51820, { to: 'vpn' })])).toEqual([]);
  });
});

describe('ConntrackFlows', () => {
  const filters = [{ address: '198.51.100.2', port: { start: 6000, end: 6001 } }, { port: { start: 51820, end: 51820 } }];

  it('runs one conntrack -R - in the namespace with every deletion on stdin', async () => {
    const runner = new ScriptedRunner([{ exitCode: 0 }, { exitCode: 0 }]);
    expect(await new ConntrackFlows(runner, 'vnt-sandbox').forgetUdp(filters)).toBeUndefined();
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['conntrack', '--version'],
      ['nsenter', '--net=/run/netns/vnt-sandbox', 'conntrack', '-R', '-'],
    ]);
    expect(runner.calls[1]!.input).toBe(
      '-D -f ipv4 -p udp --orig-port-dst 6000 --orig-dst 198.51.100.2\n' +
        '-D -f ipv4 -p udp --orig-port-dst 6001 --orig-dst 198.51.100.2\n' +
        '-D -f ipv4 -p udp --orig-port-dst 51820\n',
    );
  });

  it('a wide range: lists the tracked UDP flows once, then deletes those in it', async () => {
    const runner = new ScriptedRunner([{ exitCode: 0 }, { exitCode: 0, stdout: LISTING }, { exitCode: 0 }]);
    expect(
      await new ConntrackFlows(runner, 'vnt-sandbox').forgetUdp([{ address: '198.51.100.2', port: { start: 6000, end: 6999 } }]),
    ).toBeUndefined();
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['conntrack', '--version'],
      ['nsenter', '--net=/run/netns/vnt-sandbox', 'conntrack', '-L', '-f', 'ipv4', '-p', 'udp'],
      ['nsenter', '--net=/run/netns/vnt-sandbox', 'conntrack', '-R', '-'],
    ]);
    expect(runner.calls[2]!.input).toBe(
      '-D -f ipv4 -p udp --orig-src 203.0.113.9 --orig-dst 198.51.100.2 --orig-port-src 40000 --orig-port-dst 6005\n',
    );
  });

  it('a wide range with no tracked flow in it runs no deletion; a listing that fails is a warning', async () => {
    const none = new ScriptedRunner([{ exitCode: 0 }, { exitCode: 0, stdout: LISTING }]);
    expect(await new ConntrackFlows(none, null).forgetUdp([{ port: { start: 10000, end: 20000 } }])).toBeUndefined();
    expect(none.calls).toHaveLength(2);
    const failing = new ScriptedRunner([
      { exitCode: 0 },
      { exitCode: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): Operation failed: Permission denied\n' },
    ]);
    expect(await new ConntrackFlows(failing, null).forgetUdp([{ port: { start: 10000, end: 20000 } }])).toBe(
      'cannot forget the UDP flows of a changed port forward: conntrack v1.4.7 (conntrack-tools): Operation failed: Permission denied',
    );
  });

  it('runs nothing when no flow is stale', async () => {
    const runner = new ScriptedRunner();
    expect(await new ConntrackFlows(runner, null).forgetUdp([])).toBeUndefined();
    expect(runner.calls).toEqual([]);
  });

  it("a failure comes back as a warning with conntrack's own words", async () => {
    const runner = new ScriptedRunner([
      { exitCode: 0 },
      { exitCode: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): Operation failed: Permission denied\n' },
    ]);
    expect(await new ConntrackFlows(runner, null).forgetUdp(filters)).toBe(
      'cannot forget the UDP flows of a changed port forward: conntrack v1.4.7 (conntrack-tools): Operation failed: Permission denied',
    );
  });

  it('without conntrack: one warning saying what that means, looked up once, nothing else run', async () => {
    const runner = new MissingProgramRunner('conntrack');
    const flows = new ConntrackFlows(runner, null);
    expect(await flows.forgetUdp(filters)).toBe(NO_CONNTRACK_WARNING);
    expect(await flows.forgetUdp(filters)).toBeUndefined();
    expect(runner.calls.map((c) => c.argv)).toEqual([['conntrack', '--version']]);
    expect(NO_CONNTRACK_WARNING).toMatch(/UDP flow that began before it keeps its old path until it has been quiet/);
  });
});
