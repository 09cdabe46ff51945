/**
 * The Linux runtime on the real kernel, inside namespaces this file creates
 * and always deletes:
 *
 *   guests ──veth── [ "host" netns: LinuxRuntime's bridges, table inet virtnet, dnsmasq ] ──veth── "uplink" netns
 *                                    192.0.2.1 (up0)                                            192.0.2.2
 *
 * Guests get their addresses from the network's dnsmasq with a real DHCP
 * client (busybox udhcpc). The uplink stands for the outside world; it has
 * no route to the guests' subnets unless a test gives it one. Someone
 * else's table (`table ip other`) is in the host namespace from the start
 * and must be byte-identical at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { applyUpdate } from '../../src/conf/network/update.js';
import { createLinuxRuntime, type LinuxRuntime, type AppliedNetwork, type LinuxApplied } from '../../src/driver/runtime/index.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';
import {
  connect,
  dhcp,
  have,
  ipn,
  linkUplink,
  lookup,
  makeRoot,
  pidsIn,
  ping,
  plugGuest,
  startServer,
  stopServers,
  until,
} from './runtime-fixture.js';

const missing = ['dnsmasq', 'busybox', 'nft'].filter((t) => !have(t));
const ready = canUseNetns() && missing.length === 0;
if (canUseNetns() && missing.length > 0) console.warn(`runtime e2e tests skipped: missing ${missing.join(', ')}`);

const OTHER_TABLE = `table ip other {
  chain FORWARD {
    type filter hook forward priority 10; policy accept;
    ip saddr 198.51.100.7 drop
  }
}
`;

describe.skipIf(!ready)('LinuxRuntime on the real kernel', () => {
  let host = '';
  let uplink = '';
  const guests: string[] = [];
  const root = makeRoot('rt-e2e');
  let rt: LinuxRuntime;
  const running = new Map<string, { def: NetworkDef; applied: AppliedNetwork }>();
  let otherBefore = '';

  const others = (except?: string): NetworkDef[] => [...running].filter(([n]) => n !== except).map(([, v]) => v.def);
  async function start(xml: string): Promise<{ def: NetworkDef; applied: LinuxApplied }> {
    const def = parseNetworkXml(xml);
    const applied = await rt.start(def, { otherActive: others(def.name) });
    running.set(def.name, { def, applied });
    return { def, applied: applied as LinuxApplied };
  }
  async function stop(name: string): Promise<void> {
    const n = running.get(name);
    if (!n) return;
    running.delete(name);
    await rt.stop(n.def, n.applied);
    await rt.cleanup(n.def);
  }
  function guest(tag: string, bridge: string, mac?: string): string {
    const g = plugGuest(host, tag, bridge, `v${tag}`.slice(0, 15), mac);
    guests.push(g);
    return g;
  }
  const dnsmasqPid = (a: AppliedNetwork): number => (a as LinuxApplied).dnsmasq?.pid ?? 0;

  beforeAll(async () => {
    host = createNetns('rth');
    uplink = createNetns('rtu');
    inNetns(host, 'nft', ['-f', '-'], OTHER_TABLE);
    otherBefore = inNetns(host, 'nft', ['list', 'ruleset']);
    linkUplink(host, uplink);
    await startServer(uplink);
    rt = await createLinuxRuntime({ netns: host, paths: root.paths, firewallLingerMs: 0 });
  }, 30_000);

  afterAll(async () => {
    for (const name of [...running.keys()]) await stop(name).catch(() => {});
    rt?.close();
    stopServers();
    for (const ns of [host, uplink, ...guests]) if (ns) deleteNetns(ns);
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const ns of [host, uplink, ...guests]) if (ns) expect(list).not.toContain(ns);
    root.remove();
  });

  it('isolated: two guests get leases, reach each other and the gateway, and not the uplink', async () => {
    const { def, applied } = await start(`<network><name>iso</name><bridge name='vnti0'/>
      <ip address='10.81.1.1' prefix='24'><dhcp><range start='10.81.1.10' end='10.81.1.50'/></dhcp></ip></network>`);
    // STP is on (libvirt's default): the kernel holds new ports in listening and learning for 2 s
    // each (it raises a zero forward delay to its 2 s minimum), so the first lease takes ~4 s.
    const g1 = guest('rti1', 'vnti0');
    const g2 = guest('rti2', 'vnti0');
    const l1 = dhcp(g1, 'alpha');
    const l2 = dhcp(g2, 'beta');
    expect(l1?.ip).toMatch(/^10\.81\.1\.\d+$/);
    expect(l2?.ip).toMatch(/^10\.81\.1\.\d+$/);
    expect(l1?.router).toBeUndefined(); // isolated: dhcp-option=3, no default route handed out
    expect(ping(g1, l2!.ip, 3)).toBe(true);
    expect(ping(g2, '10.81.1.1')).toBe(true);
    // Even with a default route through the bridge, our rules keep the uplink out of reach.
    ipn(g1, 'route', 'add', 'default', 'via', '10.81.1.1');
    expect(ping(g1, '192.0.2.2')).toBe(false);
    expect(connect(g1, '192.0.2.2')).toMatch(/^ERR /);

    const leases = await rt.leases(def, applied);
    expect(leases.map((l) => [l.hostname, l.ipAddress, l.prefix, l.protocol, l.iface]).sort()).toEqual([
      ['alpha', l1!.ip, 24, 'ipv4', 'vnti0'],
      ['beta', l2!.ip, 24, 'ipv4', 'vnti0'],
    ]);
  });

  it('nat: the guest reaches the uplink as the host address; the uplink cannot open a connection to the guest', async () => {
    await start(`<network><name>nat</name><forward mode='nat'/><bridge name='vntn0' stp='off'/>
      <ip address='10.81.2.1' prefix='24'><dhcp><range start='10.81.2.10' end='10.81.2.50'/></dhcp></ip></network>`);
    const g = guest('rtn1', 'vntn0');
    const lease = dhcp(g);
    expect(lease?.router).toBe('10.81.2.1');
    expect(connect(g, '192.0.2.2')).toBe('OK 192.0.2.1');
    await startServer(g);
    ipn(uplink, 'route', 'add', '10.81.2.0/24', 'via', '192.0.2.1');
    try {
      expect(connect(uplink, lease!.ip)).toMatch(/^ERR /);
      expect(ping(uplink, lease!.ip)).toBe(false);
    } finally {
      ipn(uplink, 'route', 'del', '10.81.2.0/24', 'via', '192.0.2.1');
    }
  });

  it('route: given a route back, the uplink reaches the guest at its real address, and the guest is seen unchanged', async () => {
    await start(`<network><name>rtd</name><forward mode='route'/><bridge name='vntr0' stp='off'/>
      <ip address='10.81.3.1' prefix='24'><dhcp><range start='10.81.3.10' end='10.81.3.50'/></dhcp></ip></network>`);
    const g = guest('rtr1', 'vntr0');
    const lease = dhcp(g);
    expect(lease?.ip).toMatch(/^10\.81\.3\./);
    await startServer(g);
    ipn(uplink, 'route', 'add', '10.81.3.0/24', 'via', '192.0.2.1');
    try {
      expect(connect(uplink, lease!.ip)).toBe('OK 192.0.2.2');
      expect(connect(g, '192.0.2.2')).toBe(`OK ${lease!.ip}`);
    } finally {
      ipn(uplink, 'route', 'del', '10.81.3.0/24', 'via', '192.0.2.1');
    }
  });

  it('a static <host> gets its fixed address, a <dns><host> resolves, and a live static-host update keeps the dnsmasq pid', async () => {
    const { def, applied } = await start(`<network><name>dns</name><forward mode='nat'/><bridge name='vntd0' stp='off'/>
      <dns><host ip='10.81.4.77'><hostname>printer</hostname></host></dns>
      <ip address='10.81.4.1' prefix='24'><dhcp><range start='10.81.4.10' end='10.81.4.50'/>
        <host mac='52:54:00:81:04:05' name='fixed' ip='10.81.4.5'/></dhcp></ip></network>`);
    const g = guest('rtd1', 'vntd0', '52:54:00:81:04:05');
    expect(dhcp(g)?.ip).toBe('10.81.4.5');
    expect(lookup(g, 'printer', '10.81.4.1')).toEqual(['10.81.4.77']);

    const pid = dnsmasqPid(applied);
    const after = applyUpdate(def, 'add-last', 'ip-dhcp-host', -1, "<host mac='52:54:00:81:04:06' name='late' ip='10.81.4.6'/>");
    const next = await rt.updateLive(def, after, 'ip-dhcp-host', applied);
    running.set(def.name, { def: after, applied: next });
    expect(dnsmasqPid(next)).toBe(pid);
    expect(pidsIn(host)).toContain(pid);
    const g2 = guest('rtd2', 'vntd0', '52:54:00:81:04:06');
    await until(() => dhcp(g2)?.ip === '10.81.4.6', 15_000, 'the new static lease');

    const withDns = applyUpdate(after, 'add-last', 'dns-host', -1, "<host ip='10.81.4.78'><hostname>scanner</hostname></host>");
    const next2 = await rt.updateLive(after, withDns, 'dns-host', next);
    running.set(def.name, { def: withDns, applied: next2 });
    expect(dnsmasqPid(next2)).toBe(pid);
    await until(() => lookup(g, 'scanner', '10.81.4.1').includes('10.81.4.78'), 5000, 'the new DNS host');
  }, 60_000);

  it("refuses overlapping subnets with libvirt's message, for another network and for a host route", async () => {
    await expect(
      rt.start(parseNetworkXml(`<network><name>ov1</name><bridge name='vnto0'/><ip address='10.81.0.1' prefix='16'/></network>`), {
        otherActive: others(),
      }),
    ).rejects.toThrow(/^internal error: Network is already in use by interface vnt[a-z]0$/);
    await expect(
      rt.start(parseNetworkXml(`<network><name>ov2</name><bridge name='vnto0'/><ip address='192.0.2.129' prefix='25'/></network>`), {
        otherActive: others(),
      }),
    ).rejects.toThrow('internal error: Network is already in use by interface up0');
    expect(ipn(host, '-br', 'link', 'show', 'type', 'bridge')).not.toContain('vnto0');
  });

  it('a second runtime over the same directories adopts a running network: same dnsmasq, rules re-applied, guests keep working', async () => {
    const n = running.get('nat')!;
    const rt2 = await createLinuxRuntime({ netns: host, paths: root.paths, firewallLingerMs: 0 });
    const adopted = await rt2.adopt(n.def, JSON.parse(JSON.stringify(n.applied)));
    expect(adopted).not.toBeNull();
    expect(dnsmasqPid(adopted!)).toBe(dnsmasqPid(n.applied));
    const g = guests.find((x) => x.includes('rtn1'))!;
    expect(connect(g, '192.0.2.2')).toBe('OK 192.0.2.1');
    running.set('nat', { def: n.def, applied: adopted! });
    rt2.close();
  });

  it('after stop nothing of ours is left: links, rules, processes, files; the other table is byte-identical', async () => {
    const pids = [...running.values()].map((v) => dnsmasqPid(v.applied));
    expect(pids.every((p) => p > 0)).toBe(true);
    for (const name of [...running.keys()]) await stop(name);
    const links = ipn(host, '-br', 'link')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[0]);
    expect(links.filter((l) => !/^(lo|up0@if\d+|vrt\w+@if\d+)$/.test(l!))).toEqual([]);
    expect(inNetns(host, 'nft', ['list', 'ruleset'])).toBe(otherBefore);
    expect(pidsIn(host).filter((p) => pids.includes(p))).toEqual([]);
    expect(readdirSync(root.paths.networkStatusDir)).toEqual([]);
    expect(readdirSync(root.paths.dnsmasqDir)).toEqual(['resolv.servers']);
    expect(existsSync(`${root.paths.dnsmasqDir}/nat.leases`)).toBe(false);
  });
});
