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
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupSandbox, sandboxNames } from '../../src/api/sandbox.js';
import { removeCliBundle, virtnet, type CliRun } from './cli-harness.js';
import { endAllDaemons, startServing, type DaemonProcess } from './daemon-process.js';
import { deleteGuestNamespaces, until } from './guest-fixture.js';
import { guestXml } from '../support/guest-testkit.js';
import { natXml } from '../support/network-testkit.js';
import { canUseNetns } from './netns.js';
import { connect, startServer, stopServers } from './runtime-fixture.js';

const root = canUseNetns();

const NET = natXml('fwdnat', '192.168.171', { bridge: 'vbr-fwd', range: [10, 20] });

const HOST = '198.51.100.2';
const GUEST_PORT = '8080';

describe.skipIf(!root)('port forwards with real traffic through virtnetd --sandbox', () => {
  let dir: string;
  let rootDir: string;
  let names: { netns: string; uplink: string };
  let daemon: DaemonProcess & { socket: string };
  let env: Record<string, string>;
  const run = (...args: string[]): Promise<CliRun> => virtnet(args, { cwd: dir, env, timeoutMs: 60_000 });
  const guestNs = (g: string): string => `${names.netns}-g-${g}`;
  /** A connection from `ns` to the host's forwarded port. */
  const viaHost = (ns: string, port = '2222', addr = HOST): string => connect(ns, addr, port);

  async function serve(): Promise<void> {
    daemon = await startServing(['--sandbox', '--root', rootDir, '--log-level', 'warn']);
    env = { VIRTNET_DEFAULT_URI: `unix://${daemon.socket}` };
  }

  async function ok(...args: string[]): Promise<string> {
    const r = await run(...args);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.rc, args.join(' ')).toBe(0);
    return r.stdout;
  }

  /** The To address net-forward-list shows for the forward of `port`. */
  async function listedAddress(port: string): Promise<string | undefined> {
    const out = await ok('net-forward-list', 'fwdnat');
    const row = out.split('\n').find((l) => l.trim().split(/\s+/)[2] === port);
    return row?.trim().split(/\s+/)[5];
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vnt-forwards-'));
    chmodSync(dir, 0o755);
    rootDir = join(dir, 'root');
    names = sandboxNames(rootDir);
    writeFileSync(join(dir, 'fwdnat.xml'), NET);
    writeFileSync(join(dir, 'web.xml'), guestXml('web', { nics: ['network:fwdnat@52:54:00:f0:00:01'] }));
    writeFileSync(join(dir, 'peer.xml'), guestXml('peer', { nics: ['network:fwdnat@52:54:00:f0:00:02'] }));
    await serve();
  }, 60_000);

  afterAll(async () => {
    stopServers();
    if (env) await run('-q', 'destroy web; undefine web; destroy peer; undefine peer').catch(() => undefined);
    await endAllDaemons();
    removeCliBundle();
    if (names) {
      deleteGuestNamespaces(names.netns);
      await cleanupSandbox(names).catch(() => undefined);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('reaches a guest by name from outside, from the host and from another guest (hairpin)', { timeout: 90_000 }, async () => {
    await ok('net-define fwdnat.xml; net-start fwdnat; define web.xml; start web; define peer.xml; start peer');
    expect(await ok('-q', 'guest-exec', 'web', '--', 'dhcp', 'eth0')).toMatch(/^eth0: 192\.168\.171\.\d+\/24 router 192\.168\.171\.1/);
    expect(await ok('-q', 'guest-exec', 'peer', '--', 'dhcp', 'eth0')).toMatch(/^eth0: 192\.168\.171\.\d+\/24/);
    await startServer(guestNs('web'), GUEST_PORT);
    // Closed before the forward exists.
    expect(viaHost(names.uplink)).toBe('ERR ECONNREFUSED');

    expect(await run('net-forward-add', 'fwdnat', '2222', `web:${GUEST_PORT}`)).toEqual({
      stdout: 'Port forward added to network fwdnat persistent config and live state\n\n',
      stderr: '',
      rc: 0,
    });
    const webAddress = await listedAddress('2222');
    expect(webAddress).toMatch(/^192\.168\.171\.\d+$/);
    const table = (await ok('net-forward-list', 'fwdnat')).split('\n');
    expect(table[0]).toBe(' Protocol   Address   Port   To    To port   To address');
    expect(table[1]).toMatch(/^-+$/);
    expect(table.slice(2)).toEqual([` tcp        *         2222   web   8080      ${webAddress}`, '', '']);
    expect(await ok('net-dumpxml', 'fwdnat', '--inactive')).toContain('<virtnet:forward proto="tcp" port="2222" to="web" toport="8080"/>');

    // From outside: the guest sees the real client.
    expect(viaHost(names.uplink)).toBe('OK 198.51.100.1');
    // From the host itself, to its own address.
    expect(viaHost(names.netns)).toMatch(/^OK /);
    // From another guest of the network (hairpin): answered through the host.
    expect(viaHost(guestNs('peer'))).toBe('OK 192.168.171.1');
    // Only the forwarded port: the guest's own address stays out of the uplink's reach.
    expect(connect(names.uplink, webAddress!, GUEST_PORT)).not.toMatch(/^OK/);
  });

  it('follows the guest to a new lease', { timeout: 60_000 }, async () => {
    const before = await listedAddress('2222');
    // web's vNIC is replaced by one with another MAC, which leases another address.
    await ok('-q', 'detach-interface', 'web', 'network', '--mac', '52:54:00:f0:00:01', '--live');
    await ok('-q', 'attach-interface', 'web', 'network', 'fwdnat', '--mac', '52:54:00:f0:00:09', '--live');
    const leased = await ok('-q', 'guest-exec', 'web', '--', 'dhcp', 'eth0');
    const next = /^eth0: (192\.168\.171\.\d+)\//.exec(leased)?.[1];
    expect(next, leased).toBeDefined();
    expect(next).not.toBe(before);
    await until(async () => (await listedAddress('2222')) === next, 10_000, `the forward to follow web to ${next}`);
    expect(viaHost(names.uplink)).toBe('OK 198.51.100.1');
  });

  it('survives a daemon restart and a network restart', { timeout: 90_000 }, async () => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    // No daemon: the kernel keeps forwarding.
    expect(viaHost(names.uplink)).toBe('OK 198.51.100.1');
    await serve();
    expect(await listedAddress('2222')).toMatch(/^192\.168\.171\.\d+$/);
    expect(viaHost(names.uplink)).toBe('OK 198.51.100.1');

    await ok('net-destroy', 'fwdnat', '--force');
    expect(viaHost(names.uplink)).toBe('ERR ECONNREFUSED');
    await ok('net-start', 'fwdnat');
    // The guest is plugged back in and keeps its address; the forward is back with the network.
    await until(() => viaHost(names.uplink) === 'OK 198.51.100.1', 15_000, 'the forward after a network restart');
    expect(viaHost(guestNs('peer'))).toBe('OK 192.168.171.1');
  });

  it('a range on one listen address, live only; removal closes the ports', { timeout: 60_000 }, async () => {
    const webAddress = (await listedAddress('2222'))!;
    await startServer(guestNs('web'), '9005');
    expect(await ok('net-forward-add', 'fwdnat', '9000-9010', webAddress, '--proto', 'both', '--address', HOST, '--live')).toBe(
      'Port forward added to network fwdnat live state\n\n',
    );
    expect(viaHost(names.uplink, '9005')).toBe('OK 198.51.100.1');
    // Live only: the persistent config does not have it.
    expect(await ok('net-forward-list', 'fwdnat', '--inactive')).not.toContain('9000-9010');
    await ok('net-forward-remove', 'fwdnat', '9000-9010', '--address', HOST);
    expect(viaHost(names.uplink, '9005')).toBe('ERR ECONNREFUSED');

    expect(await run('net-forward-remove', 'fwdnat', '2222')).toEqual({
      stdout: 'Port forward removed from network fwdnat persistent config and live state\n\n',
      stderr: '',
      rc: 0,
    });
    expect(viaHost(names.uplink)).toBe('ERR ECONNREFUSED');
    expect(viaHost(guestNs('peer'))).toBe('ERR ECONNREFUSED');
    expect(await ok('net-forward-list', 'fwdnat')).not.toContain('2222');
  });
});
