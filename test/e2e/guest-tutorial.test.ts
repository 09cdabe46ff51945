/**
 * The libvirt networking tutorial through the driver API on the real
 * kernel, in namespaces this test creates and removes: networks `default`
 * (NAT) and `isolated`; a netns guest centos7.0 with a NIC on default;
 * attach-interface --source isolated --config --live; DHCP leases from
 * dnsmasq on both NICs (udhcpc run inside the guest by guest-exec); a
 * second guest on isolated that reaches the first but cannot leave the
 * host while centos7.0 can (NAT to an "outside" namespace); bridge-show's
 * vnetN ports; detach-interface --mac --config --live gone from the kernel
 * and the stored definition; isolated destroyed (force) and started again
 * with its running guest connected once more; nothing left at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestXml, interfaceXml } from '../support/guest-testkit.js';
import type { VirError } from '../../src/util/errors.js';
import { guestDhcp, guestNamespaces, guestPing, linkIn, openWorld, sweep, until, type GuestWorld } from './guest-fixture.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, vethBetween } from './netns.js';
import { defaultNetworkXml, isolatedNetworkXml } from './tutorial-networks.js';

const root = canUseNetns() && spawnSync('sh', ['-c', 'command -v busybox && command -v dnsmasq']).status === 0;

const DEFAULT_XML = defaultNetworkXml(" stp='on' delay='0'");
const ISOLATED_XML = isolatedNetworkXml(" stp='on' delay='0'");

describe.skipIf(!root)('the tutorial with real guests', () => {
  let ns: string | undefined;
  let outside: string | undefined;
  let w: GuestWorld | undefined;
  const state: { centosIsolatedMac?: string | undefined; centosIsolatedIp?: string | undefined; fedoraIp?: string | undefined } = {};

  beforeAll(async () => {
    ns = createNetns('gtut');
    outside = createNetns('gout');
    // The host's uplink to an "outside" namespace, so NAT has somewhere to go.
    vethBetween(ns, 'up0', outside, 'eth0');
    inNetns(ns, 'ip', ['addr', 'add', '203.0.113.1/24', 'dev', 'up0']);
    inNetns(outside, 'ip', ['addr', 'add', '203.0.113.2/24', 'dev', 'eth0']);
    w = await openWorld(ns, 'gtut');
  }, 60_000);

  afterAll(async () => {
    await w?.close().catch(() => undefined);
    sweep(w, ns);
    if (outside) deleteNetns(outside);
    if (ns) deleteNetns(ns);
  });

  it('defines and starts default and isolated, and a netns guest centos7.0 on default', async () => {
    const d = w!.driver;
    await d.define(DEFAULT_XML);
    await d.define(ISOLATED_XML);
    await d.start('default');
    await d.start('isolated');
    await d.guestDefine(guestXml('centos7.0', { nics: ['network:default'] }));
    await d.guestStart('centos7.0');
    const guestNs = guestNamespaces(ns!);
    expect(guestNs).toEqual([`${ns}-g-centos7.0`]);
    const vnet0 = linkIn(ns!, 'vnet0');
    expect(vnet0).toMatchObject({ master: 'virbr0', linkinfo: { info_kind: 'veth' } });
    const eth0 = linkIn(guestNs[0]!, 'eth0');
    const [mac] = (await d.guestInterfaces('centos7.0')).map((i) => i.mac);
    expect(eth0?.address).toBe(mac);
    expect(vnet0?.address).toBe(`fe${mac!.slice(2)}`);
    expect(await d.getXml('default')).toMatch(/^<network connections='1'>/);
  }, 60_000);

  it('attach-interface --source isolated --type network --model virtio --config --live', async () => {
    const d = w!.driver;
    await d.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated', { model: 'virtio' }), { config: true, live: true });
    const live = await d.guestInterfaces('centos7.0');
    state.centosIsolatedMac = live[1]?.mac;
    expect(live.map((i) => [i.target, i.type, i.source, i.model])).toEqual([
      ['vnet0', 'network', 'default', 'virtio'],
      ['vnet1', 'network', 'isolated', 'virtio'],
    ]);
    const config = await d.guestInterfaces('centos7.0', { inactive: true });
    expect(config.map((i) => i.mac)).toEqual(live.map((i) => i.mac));
    state.centosIsolatedMac = live[1]!.mac;
    expect(linkIn(ns!, 'vnet1')).toMatchObject({ master: 'virbr1' });
    expect(linkIn(`${ns}-g-centos7.0`, 'eth1')?.address).toBe(state.centosIsolatedMac);
    expect(readFileSync(join(w!.paths.guestConfigDir, 'centos7.0.xml'), 'utf8')).toContain(`<mac address='${state.centosIsolatedMac}'/>`);
  }, 30_000);

  it('both NICs get a DHCP lease from dnsmasq, shown by domifaddr and net-dhcp-leases', async () => {
    const d = w!.driver;
    const a = await guestDhcp(d, 'centos7.0', 'eth0');
    const b = await guestDhcp(d, 'centos7.0', 'eth1');
    expect(a).toMatch(/^192\.168\.122\.\d+$/);
    expect(b).toMatch(/^192\.168\.100\.\d+$/);
    state.centosIsolatedIp = b;
    await until(async () => (await d.guestInterfaceAddresses('centos7.0')).length === 2, 10_000, 'both leases');
    const addrs = await d.guestInterfaceAddresses('centos7.0');
    expect(addrs.map((x) => [x.name, x.protocol, x.address, x.prefix])).toEqual([
      ['vnet0', 'ipv4', a, 24],
      ['vnet1', 'ipv4', b, 24],
    ]);
    expect((await d.leases('isolated', state.centosIsolatedMac)).map((l) => l.ipAddress)).toEqual([b]);
    // centos7.0 leaves the host through default's NAT
    expect(await guestPing(d, 'centos7.0', '203.0.113.2')).toBe(true);
  }, 60_000);

  it('a second guest on isolated reaches the first and cannot leave the host', async () => {
    const d = w!.driver;
    await d.guestDefine(guestXml('fedora', { nics: ['network:isolated'] }));
    await d.guestStart('fedora');
    const ip = await guestDhcp(d, 'fedora', 'eth0');
    expect(ip).toMatch(/^192\.168\.100\.\d+$/);
    state.fedoraIp = ip;
    expect(await guestPing(d, 'fedora', state.centosIsolatedIp!)).toBe(true);
    // an isolated network gives no router; even with one forced in, the host forwards nothing
    const route = await d.guestExec('fedora', ['ip', 'route', 'replace', 'default', 'via', '192.168.100.1']);
    expect(route.exitCode).toBe(0);
    expect(await guestPing(d, 'fedora', '203.0.113.2', 2)).toBe(false);
    expect(await guestPing(d, 'fedora', '192.168.100.1')).toBe(true);
    expect(await d.getXml('isolated')).toMatch(/^<network connections='2'>/);
  }, 60_000);

  it('bridge-show lists the vnetN ports', async () => {
    const bridges = await w!.driver.bridgePorts();
    expect(bridges.map((b) => [b.bridge, b.stp, b.ports])).toEqual([
      ['virbr0', true, ['vnet0']],
      ['virbr1', true, ['vnet1', 'vnet2']],
    ]);
    expect(bridges[0]!.bridgeId).toMatch(/^8000\.[0-9a-f]{12}$/);
    expect((await w!.driver.bridgePorts('virbr1'))[0]!.ports).toEqual(['vnet1', 'vnet2']);
  });

  it('detach-interface --mac --config --live removes the NIC from the kernel and the stored definition', async () => {
    const d = w!.driver;
    const mac = state.centosIsolatedMac!;
    const xml = `<interface type='network'>\n  <mac address='${mac}'/>\n  <source network='isolated'/>\n  <model type='virtio'/>\n</interface>\n`;
    await d.guestDetachDevice('centos7.0', xml, { config: true, live: true });
    expect(linkIn(ns!, 'vnet1')).toBeUndefined();
    expect(linkIn(`${ns}-g-centos7.0`, 'eth1')).toBeUndefined();
    expect((await d.guestInterfaces('centos7.0')).map((i) => i.target)).toEqual(['vnet0']);
    expect(readFileSync(join(w!.paths.guestConfigDir, 'centos7.0.xml'), 'utf8')).not.toContain(mac);
    expect(await d.getXml('isolated')).toMatch(/^<network connections='1'>/);
    expect((await d.bridgePorts('virbr1'))[0]!.ports).toEqual(['vnet2']);
  }, 30_000);

  it('destroying and restarting isolated leaves the running guest connected again', async () => {
    const d = w!.driver;
    const refused = await d.destroy('isolated').then(
      () => undefined,
      (e: unknown) => e as VirError,
    );
    expect(refused?.message).toBe(
      "Requested operation is not valid: network 'isolated' has guests attached: fedora (use --force to destroy it anyway)",
    );
    await d.destroy('isolated', { force: true });
    expect(linkIn(ns!, 'virbr1')).toBeUndefined();
    expect(linkIn(ns!, 'vnet2')).not.toHaveProperty('master');
    await d.start('isolated');
    expect(linkIn(ns!, 'vnet2')).toMatchObject({ master: 'virbr1' });
    expect(await d.getXml('isolated')).toMatch(/^<network connections='1'>/);
    expect(await guestPing(d, 'fedora', '192.168.100.1', 8)).toBe(true);
    // and a fresh lease works through the new dnsmasq
    expect(await guestDhcp(d, 'fedora', 'eth0')).toMatch(/^192\.168\.100\.\d+$/);
  }, 60_000);

  it('a daemon restart adopts both guests; destroying them leaves nothing behind', async () => {
    await w!.restart();
    const d = w!.driver;
    expect(w!.guests.startupReport).toMatchObject({ adopted: ['centos7.0', 'fedora'], vanished: [] });
    expect(await d.getXml('isolated')).toMatch(/^<network connections='1'>/);
    expect(await guestPing(d, 'fedora', '192.168.100.1')).toBe(true);
    await d.guestDestroy('centos7.0');
    await d.guestDestroy('fedora');
    expect(guestNamespaces(ns!)).toEqual([]);
    const links = inNetns(ns!, 'ip', ['-o', 'link', 'show']);
    expect(links).not.toMatch(/vnet\d/);
    expect(existsSync(join(w!.paths.guestStatusDir, 'fedora.xml'))).toBe(false);
    expect(await d.getXml('isolated')).toMatch(/^<network>/);
    await d.destroy('isolated');
    await d.destroy('default');
  }, 60_000);
});
