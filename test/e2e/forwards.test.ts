/**
 * Port forwards into a NAT network with real traffic, end to end: the built
 * CLI (net-forward-add / -list / -remove) against a real `virtnetd
 * --sandbox`, whose uplink namespace stands for the world outside. Guests
 * are netns guests on the network (leases through guest-exec's `dhcp`), each
 * with a small TCP server that answers with the peer address it sees.
 *
 *   uplink (198.51.100.1) ── sandbox (198.51.100.2, the "host") ── vbr-fwd ── web, peer
 *
 * It proves: the uplink reaches web's port through the host's address; so
 * does the host itself, and peer through the host's address (hairpin); a
 * forward to web's *name* follows web to a new lease; the forward survives
 * a daemon restart and a network restart; removing it closes the port.
 * Everything lives in namespaces the daemon and the test make, removed at
 * the end whatever happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardsLab } from './forwards-lab.js';
import { until } from './guest-fixture.js';
import { natXml } from '../support/network-testkit.js';
import { canUseNetns } from './netns.js';
import { connect, startServer, stopServers } from './runtime-fixture.js';

const root = canUseNetns();

const NET = natXml('fwdnat', '192.168.171', { bridge: 'vbr-fwd', range: [10, 20] });

const HOST = '198.51.100.2';
const GUEST_PORT = '8080';

describe.skipIf(!root)('port forwards with real traffic through virtnetd --sandbox', () => {
  let lab: ForwardsLab;
  /** A connection from `ns` to the host's forwarded port. */
  const viaHost = (ns: string, port = '2222', addr = HOST): string => connect(ns, addr, port);

  /** The To address net-forward-list shows for the forward of `port`. */
  async function listedAddress(port: string): Promise<string | undefined> {
    const out = await lab.ok('net-forward-list', 'fwdnat');
    const row = out.split('\n').find((l) => l.trim().split(/\s+/)[2] === port);
    return row?.trim().split(/\s+/)[5];
  }

  beforeAll(async () => {
    lab = new ForwardsLab('fwdnat', NET, '52:54:00:f0:00');
    await lab.serve();
  }, 60_000);

  afterAll(async () => {
    stopServers();
    await lab?.end();
  }, 60_000);

  it('reaches a guest by name from outside, from the host and from another guest (hairpin)', { timeout: 90_000 }, async () => {
    await lab.ok('net-define fwdnat.xml; net-start fwdnat; define web.xml; start web; define peer.xml; start peer');
    expect(await lab.ok('-q', 'guest-exec', 'web', '--', 'dhcp', 'eth0')).toMatch(/^eth0: 192\.168\.171\.\d+\/24 router 192\.168\.171\.1/);
    expect(await lab.ok('-q', 'guest-exec', 'peer', '--', 'dhcp', 'eth0')).toMatch(/^eth0: 192\.168\.171\.\d+\/24/);
    await startServer(lab.guestNs('web'), GUEST_PORT);
    // Closed before the forward exists.
    expect(viaHost(lab.names.uplink)).toBe('ERR ECONNREFUSED');

    expect(await lab.run('net-forward-add', 'fwdnat', '2222', `web:${GUEST_PORT}`)).toEqual({
      stdout: 'Port forward added to network fwdnat persistent config and live state\n\n',
      stderr: '',
      rc: 0,
    });
    const webAddress = await listedAddress('2222');
    expect(webAddress).toMatch(/^192\.168\.171\.\d+$/);
    const table = (await lab.ok('net-forward-list', 'fwdnat')).split('\n');
    expect(table[0]).toBe(' Protocol   Address   Port   To    To port   To address');
    expect(table[1]).toMatch(/^-+$/);
    expect(table.slice(2)).toEqual([` tcp        *         2222   web   8080      ${webAddress}`, '', '']);
    expect(await lab.ok('net-dumpxml', 'fwdnat', '--inactive')).toContain('<virtnet:forward proto="tcp" port="2222" to="web" toport="8080"/>');

    // From outside: the guest sees the real client.
    expect(viaHost(lab.names.uplink)).toBe('OK 198.51.100.1');
    // From the host itself, to its own address.
    expect(viaHost(lab.names.netns)).toMatch(/^OK /);
    // From another guest of the network (hairpin): answered through the host.
    expect(viaHost(lab.guestNs('peer'))).toBe('OK 192.168.171.1');
    // Only the forwarded port: the guest's own address stays out of the uplink's reach.
    expect(connect(lab.names.uplink, webAddress!, GUEST_PORT)).not.toMatch(/^OK/);
  });

  it('follows the guest to a new lease', { timeout: 60_000 }, async () => {
    const before = await listedAddress('2222');
    // web's vNIC is replaced by one with another MAC, which leases another address.
    await lab.ok('-q', 'detach-interface', 'web', 'network', '--mac', '52:54:00:f0:00:01', '--live');
    await lab.ok('-q', 'attach-interface', 'web', 'network', 'fwdnat', '--mac', '52:54:00:f0:00:09', '--live');
    const leased = await lab.ok('-q', 'guest-exec', 'web', '--', 'dhcp', 'eth0');
    const next = /^eth0: (192\.168\.171\.\d+)\//.exec(leased)?.[1];
    expect(next, leased).toBeDefined();
    expect(next).not.toBe(before);
    await until(async () => (await listedAddress('2222')) === next, 10_000, `the forward to follow web to ${next}`);
    expect(viaHost(lab.names.uplink)).toBe('OK 198.51.100.1');
  });

  it('survives a daemon restart and a network restart', { timeout: 90_000 }, async () => {
    lab.daemon.child.kill('SIGTERM');
    expect(await lab.daemon.exited).toBe(0);
    // No daemon: the kernel keeps forwarding.
    expect(viaHost(lab.names.uplink)).toBe('OK 198.51.100.1');
    await lab.serve();
    expect(await listedAddress('2222')).toMatch(/^192\.168\.171\.\d+$/);
    expect(viaHost(lab.names.uplink)).toBe('OK 198.51.100.1');

    await lab.ok('net-destroy', 'fwdnat', '--force');
    expect(viaHost(lab.names.uplink)).toBe('ERR ECONNREFUSED');
    await lab.ok('net-start', 'fwdnat');
    // The guest is plugged back in and keeps its address; the forward is back with the network.
    await until(() => viaHost(lab.names.uplink) === 'OK 198.51.100.1', 15_000, 'the forward after a network restart');
    expect(viaHost(lab.guestNs('peer'))).toBe('OK 192.168.171.1');
  });

  it('a range on one listen address, live only; removal closes the ports', { timeout: 60_000 }, async () => {
    const webAddress = (await listedAddress('2222'))!;
    await startServer(lab.guestNs('web'), '9005');
    expect(await lab.ok('net-forward-add', 'fwdnat', '9000-9010', webAddress, '--proto', 'both', '--address', HOST, '--live')).toBe(
      'Port forward added to network fwdnat live state\n\n',
    );
    expect(viaHost(lab.names.uplink, '9005')).toBe('OK 198.51.100.1');
    // Live only: the persistent config does not have it.
    expect(await lab.ok('net-forward-list', 'fwdnat', '--inactive')).not.toContain('9000-9010');
    await lab.ok('net-forward-remove', 'fwdnat', '9000-9010', '--address', HOST);
    expect(viaHost(lab.names.uplink, '9005')).toBe('ERR ECONNREFUSED');

    expect(await lab.run('net-forward-remove', 'fwdnat', '2222')).toEqual({
      stdout: 'Port forward removed from network fwdnat persistent config and live state\n\n',
      stderr: '',
      rc: 0,
    });
    expect(viaHost(lab.names.uplink)).toBe('ERR ECONNREFUSED');
    expect(viaHost(lab.guestNs('peer'))).toBe('ERR ECONNREFUSED');
    expect(await lab.ok('net-forward-list', 'fwdnat')).not.toContain('2222');
  });
});
