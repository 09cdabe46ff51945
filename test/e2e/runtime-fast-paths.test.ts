/**
 * The runtime's fast paths on the real kernel (docs/network-runtime.md,
 * "Where the time goes"), in namespaces the fixture creates and always
 * removes:
 * - the collision check reads the routes through a dnsmasq's /proc/PID/net
 *   and still sees a route someone else added a moment ago (nothing cached);
 * - a NAT network without IPv6 comes up without a single IPv6 route change
 *   (IPv6 is off before the link comes up), and with its sysctls, offload
 *   and DHCP all in place;
 * - stops running at the same time delete their bridges together and leave
 *   nothing, and a bridge that is not ours survives it.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { createLinuxRuntime, type LinuxRuntime, type AppliedNetwork, type LinuxApplied } from '../../src/driver/runtime/index.js';
import { MemoryCommandLog } from '../../src/host/runner.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';
import { dhcp, ipn, makeRoot, pidsIn, plugGuest } from './runtime-fixture.js';

const root = canUseNetns();

const nat = (name: string, bridge: string, third: number): NetworkDef =>
  parseNetworkXml(`<network><name>${name}</name><forward mode='nat'/><bridge name='${bridge}' stp='off'/>
    <ip address='10.77.${third}.1' prefix='24'><dhcp><range start='10.77.${third}.10' end='10.77.${third}.20'/></dhcp></ip></network>`);

describe.skipIf(!root)('runtime fast paths on the kernel', () => {
  let host = '';
  let guest = '';
  let rt: LinuxRuntime;
  const log = new MemoryCommandLog();
  const fsRoot = makeRoot('rtfp');
  const running: { def: NetworkDef; applied: AppliedNetwork }[] = [];

  beforeAll(async () => {
    host = createNetns('rtfp');
    rt = await createLinuxRuntime({ netns: host, paths: fsRoot.paths, logger: log.logger, firewallLingerMs: 0 });
  });

  afterAll(async () => {
    for (const r of running.splice(0)) await rt.stop(r.def, r.applied).catch(() => {});
    rt?.close();
    for (const ns of [guest, host]) if (ns) deleteNetns(ns);
    fsRoot.remove();
  }, 60_000);

  const start = async (def: NetworkDef): Promise<LinuxApplied> => {
    const applied = await rt.start(def, { otherActive: running.map((r) => r.def) });
    running.push({ def, applied });
    return applied as LinuxApplied;
  };

  it('reads routes without running ip, and still sees a host route added a moment ago', async () => {
    await start(nat('fa', 'vfa', 1));
    log.entries.length = 0;
    await start(nat('fb', 'vfb', 2));
    // With a dnsmasq running, the collision check ran no `ip … route`.
    expect(log.entries.filter((e) => e.argv.includes('route'))).toEqual([]);
    ipn(host, 'link', 'add', 'uplink0', 'type', 'bridge');
    ipn(host, 'addr', 'add', '10.77.64.1/18', 'dev', 'uplink0');
    ipn(host, 'link', 'set', 'uplink0', 'up');
    await expect(rt.start(nat('fc', 'vfc', 70), { otherActive: running.map((r) => r.def) })).rejects.toThrow(
      'internal error: Network is already in use by interface uplink0',
    );
    expect(ipn(host, '-br', 'link', 'show', 'dev', 'uplink0')).toContain('uplink0');
    await expect(rt.linkExists('uplink0')).resolves.toBe(true);
    await expect(rt.linkExists('vfc')).resolves.toBe(false);
  });

  it('brings a network up without any IPv6 route change, with its sysctls, offload and DHCP in place', async () => {
    const monitor = spawn('ip', ['-n', host, 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    let shown: (() => void) | undefined;
    monitor.stdout.setEncoding('utf8').on('data', (d: string) => {
      seen += d;
      shown?.();
    });
    // A route of our own, added and removed until the monitor shows it: the monitor shows
    // changes in order, so once it shows the probe it has shown everything before.
    const probe = async (dst: string): Promise<void> => {
      while (!seen.includes(`Deleted blackhole ${dst}`)) {
        const more = new Promise<void>((r) => (shown = r));
        ipn(host, 'route', 'add', 'blackhole', dst);
        ipn(host, 'route', 'del', 'blackhole', dst);
        await Promise.race([more, new Promise((r) => setTimeout(r, 100))]);
      }
    };
    await probe('192.0.2.1');
    const applied = await start(nat('fd', 'vfd', 3));
    await probe('192.0.2.2');
    monitor.kill();
    const lines = seen.split('\n').filter((l) => l.includes('vfd'));
    expect(lines.some((l) => l.includes('10.77.3.0/24'))).toBe(true);
    expect(lines.filter((l) => /ff00::|fe80::|inet6/.test(l))).toEqual([]);
    expect(inNetns(host, 'cat', ['/proc/sys/net/ipv6/conf/vfd/disable_ipv6']).trim()).toBe('1');
    expect(inNetns(host, 'cat', ['/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
    expect(JSON.parse(ipn(host, '-j', 'link', 'show', 'dev', 'vfd'))[0].flags).toContain('UP');
    if (applied.checksum === 'bridge-tx-off') expect(inNetns(host, 'ethtool', ['-k', 'vfd'])).toMatch(/^tx-checksumming: off/m);
    guest = plugGuest(host, 'rtfpg', 'vfd', 'vfdg');
    expect(dhcp(guest)?.ip).toMatch(/^10\.77\.3\./);
  });

  it('stops networks running at the same time together, leaving nothing but what is not ours', async () => {
    await start(nat('fe', 'vfe', 4));
    await start(nat('ff', 'vff', 5));
    const all = running.splice(0);
    const dnsmasqPids = all.map((r) => (r.applied as LinuxApplied).dnsmasq!.pid);
    log.entries.length = 0;
    await Promise.all(all.map((r) => rt.stop(r.def, r.applied)));
    const deletions = log.entries.filter((e) => e.argv.includes('-batch') && /link del/.test(e.input ?? ''));
    // Five bridges, fewer requests: at least some went through a link group.
    expect(deletions.length).toBeLessThan(all.length);
    expect(deletions.some((e) => /link del group \d+/.test(e.input ?? ''))).toBe(true);
    expect(
      ipn(host, '-br', 'link', 'show', 'type', 'bridge')
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['uplink0']);
    expect(JSON.parse(ipn(host, '-j', 'link', 'show', 'dev', 'uplink0'))[0].group).toBe('default');
    expect(pidsIn(host).filter((p) => dnsmasqPids.includes(p))).toEqual([]);
    expect(inNetns(host, 'nft', ['list', 'ruleset'])).toBe('');
  });
});
