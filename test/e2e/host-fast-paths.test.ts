/**
 * The host layer's cheap paths on the real kernel, in namespaces the fixture
 * creates and always removes: facts read through /proc/PID/net of a process
 * living in the namespace agree with `ip`; several bridges are deleted in
 * one request through a link group, leaving every other link alone; and
 * sysctls, ethtool and link up run as one process with the results and
 * errors of the separate operations. Checked with plain `ip`/`cat` through
 * the fixture.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxHost } from '../../src/host/linux.js';
import { runNsScript } from '../../src/host/ns-script.js';
import { ipv6ConfKey } from '../../src/host/sysctl.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';

const root = canUseNetns();
const hasEthtool = spawnSync('ethtool', ['--version']).status === 0;

const ipn = (ns: string, ...args: string[]): string => inNetns(ns, 'ip', args);
const key = (r: { dst: string; prefix: number; dev?: string; gateway?: string }): string =>
  `${r.dst}/${r.prefix} dev ${r.dev ?? '-'} via ${r.gateway ?? '-'}`;

describe.skipIf(!root)('host fast paths on the kernel', () => {
  let ns = '';
  let other = '';
  let host: LinuxHost;
  let sleeper: ChildProcess | undefined;
  let pidInNs = 0;

  beforeAll(async () => {
    ns = createNetns('hfp');
    other = createNetns('hfpo');
    host = await LinuxHost.open({ netns: ns });
    ipn(ns, 'link', 'add', 'br0', 'type', 'bridge');
    ipn(ns, 'addr', 'add', '192.168.70.1/24', 'dev', 'br0');
    ipn(ns, 'link', 'set', 'br0', 'up');
    ipn(ns, 'route', 'add', '10.70.0.0/16', 'via', '192.168.70.2', 'dev', 'br0', 'metric', '100');
    ipn(ns, 'route', 'add', 'blackhole', '10.99.0.0/16');
    ipn(ns, 'route', 'add', '10.0.0.5/32', 'dev', 'br0');
    // A process that lives in the namespace, as a dnsmasq would.
    sleeper = spawn('nsenter', [`--net=/run/netns/${ns}`, 'sleep', '60'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && pidInNs === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const comm = sleeper.pid ? spawnSync('cat', [`/proc/${sleeper.pid}/comm`], { encoding: 'utf8' }).stdout.trim() : '';
      if (comm === 'sleep') pidInNs = sleeper.pid!;
    }
  });

  afterAll(() => {
    sleeper?.kill('SIGKILL');
    deleteNetns(ns);
    deleteNetns(other);
  });

  it('reads the main IPv4 table through a process in the namespace, as ip lists it', async () => {
    expect(pidInNs).toBeGreaterThan(0);
    const viaIp = (await host.facts.routes('ipv4'))
      .filter((r) => r.type === 'unicast')
      .map(key)
      .sort();
    const viaProc = (await host.facts.mainRoutes4({ pids: [pidInNs] }))
      .filter((r) => r.type === 'unicast')
      .map(key)
      .sort();
    expect(viaProc).toEqual(viaIp);
    expect(viaProc).toContain('10.70.0.0/16 dev br0 via 192.168.70.2');
    expect((await host.facts.mainRoutes4({ pids: [pidInNs] })).find((r) => r.dst === '10.99.0.0')).toMatchObject({ type: 'unreachable', prefix: 16 });
  });

  it("never believes a process of another namespace: this process's pid falls back to ip", async () => {
    const routes = await host.facts.mainRoutes4({ pids: [process.pid, 999_999_999] });
    expect(routes.map(key)).toContain('192.168.70.0/24 dev br0 via -');
    expect(await host.facts.linkExists('br0', { pids: [process.pid] })).toBe(true);
    const elsewhere = await LinuxHost.open({ netns: other });
    expect((await elsewhere.facts.mainRoutes4({ pids: [pidInNs] })).map(key)).toEqual([]);
    expect(await elsewhere.facts.linkExists('br0', { pids: [pidInNs] })).toBe(false);
  });

  it('tells whether a link exists through /proc/PID/net/dev', async () => {
    expect(await host.facts.linkExists('br0', { pids: [pidInNs] })).toBe(true);
    expect(await host.facts.linkExists('nosuch0', { pids: [pidInNs] })).toBe(false);
    expect(await host.facts.linkExists('bad name', { pids: [pidInNs] })).toBe(false);
  });

  it('deletes several bridges in one request through a link group, and nothing else', async () => {
    for (const b of ['gd1', 'gd2', 'gd3']) ipn(ns, 'link', 'add', b, 'type', 'bridge');
    ipn(ns, 'link', 'add', 'keep1', 'type', 'bridge');
    ipn(ns, 'link', 'set', 'keep1', 'group', '5');
    const result = await host.links.deleteLinks(['gd1', 'gd2', 'gd3', 'gone9']);
    expect(result.failures).toEqual([]);
    const left = JSON.parse(ipn(ns, '-j', 'link', 'show')) as { ifname: string; group: string }[];
    expect(left.map((l) => l.ifname).sort()).toEqual(['br0', 'keep1', 'lo']);
    expect(left.find((l) => l.ifname === 'keep1')?.group).toBe('5');
    // One link, and links that are all gone already.
    ipn(ns, 'link', 'add', 'gd4', 'type', 'bridge');
    expect((await host.links.deleteLinks(['gd4'])).failures).toEqual([]);
    expect((await host.links.deleteLinks(['gd4', 'gd5'])).failures).toEqual([]);
    expect(ipn(ns, '-br', 'link', 'show', 'dev', 'keep1')).toContain('keep1');
  });

  it('writes sysctls, turns offload off and brings a bridge up in one process, in that order', async () => {
    ipn(ns, 'link', 'add', 'ns1br', 'type', 'bridge');
    const steps = [
      {
        kind: 'sysctls' as const,
        entries: [
          { key: ipv6ConfKey('ns1br', 'disable_ipv6'), value: '1' },
          { key: ipv6ConfKey('ns1br', 'accept_ra'), value: '0' },
          { key: ipv6ConfKey('nosuch0', 'autoconf'), value: '0' },
        ],
      },
      ...(hasEthtool
        ? [{ kind: 'command' as const, argv: ['ethtool', '-K', 'ns1br', 'tx', 'off'], what: "Cannot turn off transmit checksum offload on 'ns1br'" }]
        : []),
      { kind: 'command' as const, argv: ['ip', 'link', 'set', 'dev', 'ns1br', 'up'], what: "Cannot set interface flags on 'ns1br'" },
    ];
    expect(await runNsScript(host.runner, ns, steps)).toEqual({ sysctlsPresent: [[true, true, false]] });
    expect(inNetns(ns, 'cat', ['/proc/sys/net/ipv6/conf/ns1br/disable_ipv6']).trim()).toBe('1');
    expect(inNetns(ns, 'cat', ['/proc/sys/net/ipv6/conf/ns1br/accept_ra']).trim()).toBe('0');
    expect(ipn(ns, '-br', 'link', 'show', 'dev', 'ns1br')).toMatch(/\b(UP|UNKNOWN|DOWN)\b/);
    expect(JSON.parse(ipn(ns, '-j', 'link', 'show', 'dev', 'ns1br'))[0].flags).toContain('UP');
    // IPv6 was off before the link came up: no link-local address at any time afterwards.
    expect(ipn(ns, '-6', 'addr', 'show', 'dev', 'ns1br')).toBe('');
    if (hasEthtool) expect(inNetns(ns, 'ethtool', ['-k', 'ns1br'])).toMatch(/^tx-checksumming: off/m);
  });

  it('stops at a failing command with its message, and reports a rejected value', async () => {
    await expect(
      runNsScript(host.runner, ns, [
        { kind: 'command', argv: ['ip', 'link', 'set', 'dev', 'nosuch0', 'up'], what: "Cannot set interface flags on 'nosuch0'" },
        { kind: 'command', argv: ['ip', 'link', 'add', 'never0', 'type', 'bridge'], what: 'never' },
      ]),
    ).rejects.toThrow(`Cannot set interface flags on 'nosuch0': Cannot find device "nosuch0"`);
    expect(() => ipn(ns, 'link', 'show', 'dev', 'never0')).toThrow();
    await expect(
      runNsScript(host.runner, ns, [
        {
          kind: 'sysctls',
          entries: [
            { key: 'net.ipv4.ip_forward', value: 'abc' },
            { key: 'net.ipv4.conf.all.forwarding', value: '1' },
          ],
        },
      ]),
    ).rejects.toThrow("cannot write to '/proc/sys/net/ipv4/ip_forward': Invalid argument");
    // Several keys through the sysctl executor itself: one absent, one rejected.
    await expect(
      host.sysctl.writeMany([
        { key: ipv6ConfKey('nosuch0', 'autoconf'), value: '0' },
        { key: 'net.ipv4.ip_forward', value: 'abc' },
      ]),
    ).rejects.toThrow("cannot write to '/proc/sys/net/ipv4/ip_forward': Invalid argument");
  });
});
