/**
 * Traffic, seen, on the real kernel: a real virtnetd with a NAT network and
 * two netns guests; pings between them move the counters virsh's domifstat
 * prints (checked line by line against real virsh's layout and errors, from
 * its test driver) and the network's traffic in the REST API, read from the
 * kernel's own link counters.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import { guestXml } from '../support/guest-testkit.js';
import { natXml } from '../support/network-testkit.js';
import { pollUntil } from '../support/poll.js';
import { virtnet } from './cli-harness.js';
import { daemonSite, startServing } from './daemon-process.js';
import { startGuestAt } from './guest-fixture.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();
const hasVirsh = spawnSync('virsh', ['--version']).status === 0;

const NAT = natXml('trnat', '192.168.160', { bridge: 'vtrnat', dhcp: false });

/** real virsh against its test driver, whose domain 'test' has one vNIC, testnet0. */
function virshTest(commands: string): { stdout: string; stderr: string; rc: number } {
  const r = spawnSync('virsh', ['-c', 'test:///default', commands], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return { stdout: r.stdout, stderr: r.stderr, rc: r.status ?? -1 };
}

/** domifstat's output with the numbers and the device taken out: its layout. */
const layout = (out: string, device: string): string => out.replaceAll(device, 'DEV').replace(/ \d+$/gm, ' N');

/** The numbers of domifstat's output, by key. */
const numbers = (out: string): Record<string, number> =>
  Object.fromEntries([...out.matchAll(/^\S+ (\w+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));

describe.skipIf(!root)('traffic, seen: domifstat and network counters', () => {
  const site = daemonSite('trf', { open: true });
  let client: HttpVirtnetClient | undefined;
  let socket = '';
  const cli = (...args: string[]) => virtnet(['-c', `unix://${socket}`, ...args]);

  beforeAll(async () => {
    const d = await startServing(['--root', site.dir, '--netns', site.ns]);
    socket = d.socket;
    const c = await connect({ uri: `unix://${socket}` });
    client = c;
    site.clients.push(c);
    await c.define(NAT);
    await c.start('trnat');
    await startGuestAt(c, 'tr1', 'trnat', '192.168.160.10/24');
    await startGuestAt(c, 'tr2', 'trnat', '192.168.160.11/24');
    // Fresh links answer their first packets late (neighbour discovery): wait until tr1 reaches tr2.
    await pollUntil(async () => (await c.guestExec('tr1', ['ping', '-c', '3', '-i', '0.2', '-W', '1', '192.168.160.11'])).exitCode === 0, {
      ms: 20_000,
      everyMs: 0,
      what: 'tr1 to reach tr2',
    });
  }, 120_000);

  it("domifstat prints virsh's eight lines; pings move them, as the guest sees them; by MAC too", async () => {
    const [nic] = await client!.guestInterfaces('tr1');
    const dev = nic?.target ?? '';
    expect(dev).toMatch(/^vnet\d+$/);
    const before = await cli('domifstat', 'tr1', dev);
    expect(before.rc).toBe(0);
    if (hasVirsh) {
      expect((await cli('help', 'domifstat')).stdout).toBe(spawnSync('virsh', ['help', 'domifstat'], { encoding: 'utf8' }).stdout);
      const theirs = virshTest('domifstat test testnet0');
      expect(layout(before.stdout, dev)).toBe(layout(theirs.stdout, 'testnet0'));
    }
    // 20 pings of 1000 bytes from tr1 to tr2: tr1 sends and receives at least that.
    const ping = await client!.guestExec('tr1', ['ping', '-c', '20', '-i', '0.05', '-s', '1000', '-W', '1', '192.168.160.11']);
    expect(ping.exitCode).toBe(0);
    const after = await cli('domifstat', 'tr1', dev);
    const [b, a] = [numbers(before.stdout), numbers(after.stdout)];
    expect((a.tx_bytes ?? 0) - (b.tx_bytes ?? 0)).toBeGreaterThanOrEqual(20 * 1000);
    expect((a.rx_bytes ?? 0) - (b.rx_bytes ?? 0)).toBeGreaterThanOrEqual(20 * 1000);
    expect((a.tx_packets ?? 0) - (b.tx_packets ?? 0)).toBeGreaterThanOrEqual(20);
    // What the guest sent is what its device inside counted as sent.
    const inside = await client!.guestExec('tr1', ['cat', '/sys/class/net/eth0/statistics/tx_bytes']);
    expect(Number(inside.stdout)).toBeGreaterThanOrEqual(a.tx_bytes ?? 0);
    const byMac = await cli('domifstat', 'tr1', nic?.mac ?? '');
    expect(byMac.stdout.split('\n')[0]).toMatch(new RegExp(`^${nic?.mac} rx_bytes \\d+$`));
  }, 60_000);

  it("domifstat's errors are virsh's: an unknown interface, a guest that is not running", async () => {
    const ours = await cli('domifstat', 'tr1', 'nosuch');
    expect(ours.rc).toBe(1);
    expect(ours.stderr).toBe("error: Failed to get interface stats tr1 nosuch\nerror: invalid argument: 'nosuch' is not a known interface\n");
    if (hasVirsh) {
      expect(virshTest('domifstat test nosuch').stderr.replace('test nosuch', 'tr1 nosuch')).toBe(ours.stderr);
      const theirs = virshTest('destroy test; domifstat test testnet0').stderr;
      await client!.guestDefine(guestXml('tr3', { nics: ['network:trnat'] }));
      const off = await cli('domifstat', 'tr3', 'vnet9');
      expect(off.stderr).toBe(theirs.replace('test testnet0', 'tr3 vnet9'));
    }
  }, 60_000);

  it("the network's traffic in the API: its vNICs' counters and their sum move with the pings, the bridge with traffic to the host", async () => {
    const before = await client!.networkTraffic('trnat');
    expect(before.bridge).toBe('vtrnat');
    expect(before.vnics.map((v) => v.guest)).toEqual(['tr1', 'tr2']);
    expect((await client!.guestExec('tr2', ['ping', '-c', '10', '-i', '0.05', '-s', '500', '-W', '1', '192.168.160.1'])).exitCode).toBe(0);
    const after = await client!.networkTraffic('trnat');
    expect(after.time).toBeGreaterThanOrEqual(before.time);
    expect(after.guests.tx.bytes - before.guests.tx.bytes).toBeGreaterThanOrEqual(10 * 500);
    const tr2 = (t: typeof before) => t.vnics.find((v) => v.guest === 'tr2');
    expect((tr2(after)?.tx.bytes ?? 0) - (tr2(before)?.tx.bytes ?? 0)).toBeGreaterThanOrEqual(10 * 500);
    // The pings were to the bridge's own address: the host received them there.
    expect((after.host?.rx.bytes ?? 0) - (before.host?.rx.bytes ?? 0)).toBeGreaterThanOrEqual(10 * 500);
  }, 60_000);
});
