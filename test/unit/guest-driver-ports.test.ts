/**
 * Guests and networks together, over the fake runtime and backend:
 * libvirt's port allocation for the macvtap modes (least used interface,
 * exclusive passthrough, connection counts on the network and on each
 * interface), network destroy/undefine needing force while guests are
 * attached, vNICs plugged back in when a network starts again, and a
 * daemon restart adopting running guests and counting their ports again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isolatedXml, natXml } from '../support/network-testkit.js';
import { guestXml, interfaceXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { rejectionOf } from './support/vir-error.js';
import { dhcpHostUpdate } from './support/update-request.js';

let t: GuestTestDriver;
beforeEach(async () => {
  t = await startGuestTestDriver();
  for (const dev of ['eth8', 'eth9']) t.net.kernel.links.add(dev);
});
afterEach(async () => {
  await t.dispose();
});

const directXml = (name: string, mode: string, devs: string[]): string =>
  `<network>\n  <name>${name}</name>\n  <forward mode='${mode}'>\n${devs.map((d) => `    <interface dev='${d}'/>\n`).join('')}  </forward>\n</network>\n`;

/** The connections= counts of the network and of each pool interface, from its live XML. */
async function counts(net: string): Promise<string[]> {
  const xml = await t.driver.getXml(net);
  return [...xml.matchAll(/<(network|interface)(?: dev='([^']+)')?(?: connections='(\d+)')?/g)].map((m) => `${m[2] ?? m[1]}=${m[3] ?? 0}`);
}

describe('macvtap-mode networks', () => {
  it('vepa: each vNIC gets a macvlan on the least used interface, in vepa mode, counted on the network and the interface', async () => {
    await t.driver.define(directXml('direct', 'vepa', ['eth8', 'eth9']));
    await t.driver.start('direct');
    await t.driver.guestDefine(guestXml('a', { nics: ['network:direct', 'network:direct', 'network:direct'] }));
    await t.driver.guestStart('a');
    const devs = [...t.backend.devices.values()];
    expect(devs.map((d) => [d.name, d.kind, d.parent, d.mode, d.guestDev])).toEqual([
      ['macvlan0', 'macvlan', 'eth8', 'vepa', 'eth0'],
      ['macvlan1', 'macvlan', 'eth9', 'vepa', 'eth1'],
      ['macvlan2', 'macvlan', 'eth8', 'vepa', 'eth2'],
    ]);
    expect(await counts('direct')).toEqual(['network=3', 'eth8=2', 'eth9=1']);
    const live = await t.driver.guestGetXml('a');
    expect(live).toContain("<target dev='macvlan0'/>");
    expect(live).not.toContain('bridge=');
    // a tap guest gets macvtap devices, named apart from the netns guest's macvlans
    await t.driver.guestDefine(guestXml('vm', { type: 'tap', nics: ['network:direct'] }));
    await t.driver.guestStart('vm');
    expect(t.backend.devices.get('macvtap0')).toMatchObject({ kind: 'macvtap', parent: 'eth9', mode: 'vepa' });
    expect(await counts('direct')).toEqual(['network=4', 'eth8=2', 'eth9=2']);
    await t.driver.guestDestroy('a');
    expect(await counts('direct')).toEqual(['network=1', 'eth8=0', 'eth9=1']);
    expect((await t.driver.getXml('direct', { inactive: true })).includes('connections')).toBe(false);
  });

  it('bridge mode without a bridge name uses macvlan bridge mode; private uses private', async () => {
    await t.driver.define(directXml('mvbr', 'bridge', ['eth8']));
    await t.driver.define(directXml('priv', 'private', ['eth9']));
    await t.driver.start('mvbr');
    await t.driver.start('priv');
    await t.driver.guestDefine(guestXml('a', { nics: ['network:mvbr', 'network:priv'] }));
    await t.driver.guestStart('a');
    expect([...t.backend.devices.values()].map((d) => [d.parent, d.mode])).toEqual([
      ['eth8', 'bridge'],
      ['eth9', 'private'],
    ]);
  });

  it('passthrough takes an interface for itself, with libvirt’s error when none is free', async () => {
    await t.driver.define(directXml('pt', 'passthrough', ['eth8', 'eth9']));
    await t.driver.start('pt');
    await t.driver.guestDefine(guestXml('a', { type: 'tap', nics: ['network:pt', 'network:pt'] }));
    await t.driver.guestStart('a');
    expect([...t.backend.devices.values()].map((d) => [d.parent, d.mode])).toEqual([
      ['eth8', 'passthru'],
      ['eth9', 'passthru'],
    ]);
    await t.driver.guestDefine(guestXml('b', { type: 'tap', nics: ['network:pt'] }));
    expect((await rejectionOf(t.driver.guestStart('b'))).message).toBe(
      "internal error: network 'pt' requires exclusive access to interfaces, but none are available",
    );
    expect(await counts('pt')).toEqual(['network=2', 'eth8=1', 'eth9=1']);
    expect((await rejectionOf(t.driver.guestAttachDevice('a', interfaceXml('network', 'pt'), { live: true }))).message).toBe(
      "internal error: network 'pt' requires exclusive access to interfaces, but none are available",
    );
    await t.driver.guestDestroy('a');
    await t.driver.guestStart('b');
    expect(await counts('pt')).toEqual(['network=1', 'eth8=1', 'eth9=0']);
  });

  it('a pool interface that is missing fails the start and leaves nothing', async () => {
    await t.driver.define(directXml('gone', 'vepa', ['eth7']));
    await t.driver.start('gone');
    await t.driver.guestDefine(guestXml('a', { nics: ['network:gone'] }));
    expect((await rejectionOf(t.driver.guestStart('a'))).message).toMatch(/^error creating macvlan interface macvlan0@eth7 \(52:54:00:00:00:01\): /);
    expect(await counts('gone')).toEqual(['network=0', 'eth7=0']);
    expect(t.backend.devices.size).toBe(0);
  });
});

describe('networks with guests attached', () => {
  beforeEach(async () => {
    await t.driver.define(natXml('default', '192.168.122'));
    await t.driver.define(isolatedXml('isolated', { subnet: '192.168.100' }));
    await t.driver.start('default');
    await t.driver.start('isolated');
    await t.driver.guestDefine(guestXml('web', { nics: ['network:default', 'network:isolated'] }));
    await t.driver.guestDefine(guestXml('db', { nics: ['network:isolated'] }));
    await t.driver.guestDefine(guestXml('off', { nics: ['network:isolated'] }));
    await t.driver.guestStart('web');
    await t.driver.guestStart('db');
  });

  it('destroy and undefine name the running guests and need force', async () => {
    expect((await rejectionOf(t.driver.destroy('isolated'))).message).toBe(
      "Requested operation is not valid: network 'isolated' has guests attached: db, web (use --force to destroy it anyway)",
    );
    expect((await rejectionOf(t.driver.undefine('isolated'))).message).toBe(
      "Requested operation is not valid: network 'isolated' has guests attached: db, web (use --force to undefine it anyway)",
    );
    await t.driver.guestDestroy('db');
    await t.driver.guestDestroy('web');
    await t.driver.destroy('isolated');
    await t.driver.undefine('isolated');
  });

  it('a forced destroy cuts the vNICs off; starting the network again plugs them back in', async () => {
    expect(t.backend.portsOf('virbr1')).toEqual(['vnet1', 'vnet2']);
    await t.driver.destroy('isolated', { force: true });
    expect(t.backend.portsOf('virbr1')).toEqual([]);
    // the devices are still there, waiting
    expect(t.backend.devices.get('vnet1')?.master).toBe('virbr1');
    expect(await t.driver.guestGetXml('web')).not.toContain("bridge='virbr1'");
    await t.driver.start('isolated');
    expect(t.backend.portsOf('virbr1')).toEqual(['vnet1', 'vnet2']);
    expect(await counts('isolated')).toEqual(['network=2']);
    expect(await t.driver.guestGetXml('web')).toContain("bridge='virbr1'");
    // the other network was left alone
    expect(t.backend.portsOf('virbr0')).toEqual(['vnet0']);
    // and destroy still releases correctly afterwards
    await t.driver.guestDestroy('web');
    expect(await counts('isolated')).toEqual(['network=1']);
  });

  it('a network redefined with another bridge while down gets the guests on its new bridge', async () => {
    await t.driver.destroy('isolated', { force: true });
    const uuid = (await t.driver.lookupByName('isolated')).uuid;
    await t.driver.define(isolatedXml('isolated', { uuid, subnet: '192.168.100', bridge: 'virbr7' }));
    await t.driver.start('isolated');
    expect(t.backend.portsOf('virbr7')).toEqual(['vnet1', 'vnet2']);
    expect(await t.driver.guestGetXml('db')).toContain("bridge='virbr7'");
  });

  it('a live net-update keeps the connection counts', async () => {
    await t.driver.update('isolated', dhcpHostUpdate("<host mac='52:54:00:77:77:77' ip='192.168.100.77'/>", { live: true }));
    expect(await counts('isolated')).toEqual(['network=2']);
    await t.driver.guestDestroy('db');
    expect(await counts('isolated')).toEqual(['network=1']);
  });

  it('a daemon restart adopts running guests and counts their ports again', async () => {
    const before = await t.driver.guestGetXml('web');
    t = await t.restart();
    expect(t.guests.startupReport).toMatchObject({ adopted: ['db', 'web'], vanished: [] });
    expect((await t.driver.guestList({ active: true })).map((g) => [g.name, g.id])).toEqual([
      ['web', 1],
      ['db', 2],
    ]);
    expect(await t.driver.guestGetXml('web')).toBe(before);
    expect(await counts('isolated')).toEqual(['network=2']);
    expect(await counts('default')).toEqual(['network=1']);
    // ids go on from the highest
    await t.driver.guestStart('off');
    expect((await t.driver.guestLookupByName('off')).id).toBe(3);
    // ports are still released at destroy, and force still guards
    expect((await rejectionOf(t.driver.destroy('default'))).errorClass).toBe('OPERATION_INVALID');
    await t.driver.guestDestroy('web');
    await t.driver.destroy('default');
  });

  it('a guest whose namespace vanished while the daemon was down is marked shut off', async () => {
    const ns = [...t.backend.namespaces.keys()].find((n) => n.endsWith('-db'))!;
    t.backend.namespaces.delete(ns);
    t = await t.restart();
    expect(t.guests.startupReport).toMatchObject({ adopted: ['web'], vanished: ['db'] });
    expect((await t.driver.guestLookupByName('db')).active).toBe(false);
    expect(await counts('isolated')).toEqual(['network=1']);
    expect([...t.backend.devices.keys()].sort()).toEqual(['vnet0', 'vnet1']);
  });

  it('a guest attached to a network that is down at restart stays disconnected until it starts', async () => {
    await t.driver.destroy('isolated', { force: true });
    t = await t.restart();
    expect(t.guests.startupReport?.disconnected.sort()).toEqual(['db/vnet2', 'web/vnet1']);
    await t.driver.start('isolated');
    expect(t.backend.portsOf('virbr1')).toEqual(['vnet1', 'vnet2']);
    expect(await counts('isolated')).toEqual(['network=2']);
  });
});
