/**
 * The guest backends on the real kernel, in test namespaces: tap guests
 * (persistent taps vnetN on the bridge, vnet_hdr for virtio, gone at
 * destroy), type='bridge' vNICs on a bridge of the host, and the
 * macvtap-mode networks: macvlan devices moved into netns guests (two
 * guests on a `bridge`-mode network talk through their pool interface),
 * macvtap devices for tap guests in the network's mode, passthrough's
 * exclusive use with libvirt's error, and the connection counts in the
 * network's live XML.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestXml } from '../support/guest-testkit.js';
import type { VirError } from '../../src/util/errors.js';
import { guestNamespaces, guestPing, linkIn, openWorld, sweep, type GuestWorld } from './guest-fixture.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';

const root = canUseNetns();

const directXml = (name: string, mode: string, devs: string[]): string =>
  `<network>\n  <name>${name}</name>\n  <forward mode='${mode}'>\n${devs.map((d) => `    <interface dev='${d}'/>\n`).join('')}  </forward>\n</network>\n`;

describe.skipIf(!root)('guest backends on the real kernel', () => {
  let ns: string | undefined;
  let w: GuestWorld | undefined;

  beforeAll(async () => {
    ns = createNetns('gbk');
    // Two pool interfaces for the macvtap-mode networks: veth pairs whose ends stay in the namespace, up.
    for (const [a, b] of [
      ['pool0', 'pool0p'],
      ['pool1', 'pool1p'],
    ] as const) {
      inNetns(ns, 'ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      inNetns(ns, 'ip', ['link', 'set', a, 'up']);
      inNetns(ns, 'ip', ['link', 'set', b, 'up']);
    }
    // A bridge of "the host", for type='bridge' vNICs.
    inNetns(ns, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    inNetns(ns, 'ip', ['link', 'set', 'br0', 'up']);
    w = await openWorld(ns, 'gbk');
  }, 60_000);

  afterAll(async () => {
    await w?.close().catch(() => undefined);
    sweep(w, ns);
    if (ns) deleteNetns(ns);
  });

  it('tap guests get persistent taps on the bridge, removed at destroy', async () => {
    const d = w!.driver;
    await d.define(`<network>\n  <name>lan</name>\n  <bridge name='virbr3'/>\n  <ip address='10.77.0.1' netmask='255.255.255.0'/>\n</network>\n`);
    await d.start('lan');
    await d.guestDefine(guestXml('vm1', { type: 'tap', nics: ['network:lan', 'bridge:br0'] }));
    await d.guestStart('vm1');
    expect(guestNamespaces(ns!)).toEqual([]);
    const [a, b] = await d.guestInterfaces('vm1');
    const tap0 = linkIn(ns!, 'vnet0') as {
      master?: string;
      address?: string;
      linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
    };
    expect(tap0.master).toBe('virbr3');
    expect(tap0.linkinfo?.info_kind).toBe('tun');
    expect(tap0.linkinfo?.info_data).toMatchObject({ type: 'tap', persist: true, vnet_hdr: true });
    expect(tap0.address).toBe(`fe${a!.mac.slice(2)}`);
    expect(linkIn(ns!, 'vnet1')).toMatchObject({ master: 'br0' });
    expect(b).toMatchObject({ target: 'vnet1', type: 'bridge', source: 'br0' });
    expect((await d.bridgePorts('br0'))[0]!.ports).toEqual(['vnet1']);
    const e = await d.guestExec('vm1', ['true']).then(
      () => undefined,
      (err: unknown) => err as VirError,
    );
    expect(e?.message).toBe("Operation not supported: guest-exec needs a netns guest; 'vm1' is a tap guest");
    await d.guestDestroy('vm1');
    expect(linkIn(ns!, 'vnet0')).toBeUndefined();
    expect(linkIn(ns!, 'vnet1')).toBeUndefined();
    await d.destroy('lan');
  }, 60_000);

  it("a type='bridge' vNIC whose bridge is not there: libvirt's text naming it, and nothing left", async () => {
    const d = w!.driver;
    for (const type of ['tap', 'netns'] as const) {
      await d.guestDefine(guestXml(`nobr-${type}`, { type, nics: ['bridge:br-missing'] }));
      const e = await d.guestStart(`nobr-${type}`).then(
        () => undefined,
        (err: unknown) => err as VirError,
      );
      expect(e?.message).toBe("Cannot get interface MTU on 'br-missing': No such device");
      expect((await d.guestLookupByName(`nobr-${type}`)).active).toBe(false);
      await d.guestUndefine(`nobr-${type}`);
    }
    expect(guestNamespaces(ns!)).toEqual([]);
    expect(inNetns(ns!, 'ip', ['-o', 'link', 'show', 'type', 'tun'])).toBe('');
  }, 60_000);

  it('netns guests on a bridge-mode macvtap network get macvlans on the pool and reach each other', async () => {
    const d = w!.driver;
    await d.define(directXml('mvbr', 'bridge', ['pool0']));
    await d.start('mvbr');
    await d.guestDefine(guestXml('m1', { nics: ['network:mvbr'] }));
    await d.guestDefine(guestXml('m2', { nics: ['network:mvbr'] }));
    await d.guestStart('m1');
    await d.guestStart('m2');
    const m1ns = `${ns}-g-m1`;
    const eth0 = linkIn(m1ns, 'eth0') as { address?: string; linkinfo?: { info_kind?: string; info_data?: { mode?: string } } };
    expect(eth0.linkinfo?.info_kind).toBe('macvlan');
    expect(eth0.linkinfo?.info_data?.mode).toBe('bridge');
    expect(eth0.address).toBe((await d.guestInterfaces('m1'))[0]!.mac);
    expect((await d.guestInterfaces('m1'))[0]!.target).toBe('macvlan0');
    expect((await d.guestInterfaces('m2'))[0]!.target).toBe('macvlan1');
    expect(await d.getXml('mvbr')).toContain("<network connections='2'>");
    expect(await d.getXml('mvbr')).toContain("<interface dev='pool0' connections='2'/>");
    await d.guestExec('m1', ['ip', 'addr', 'add', '10.66.0.1/24', 'dev', 'eth0']);
    await d.guestExec('m2', ['ip', 'addr', 'add', '10.66.0.2/24', 'dev', 'eth0']);
    expect(await guestPing(d, 'm1', '10.66.0.2')).toBe(true);
    await d.guestDestroy('m1');
    await d.guestDestroy('m2');
    expect(guestNamespaces(ns!)).toEqual([]);
    expect(await d.getXml('mvbr')).not.toContain('connections');
    await d.destroy('mvbr');
  }, 60_000);

  it('tap guests on a vepa network get macvtap devices on the least used interface', async () => {
    const d = w!.driver;
    await d.define(directXml('vepa', 'vepa', ['pool0', 'pool1']));
    await d.start('vepa');
    await d.guestDefine(guestXml('t1', { type: 'tap', nics: ['network:vepa', 'network:vepa', 'network:vepa'] }));
    await d.guestStart('t1');
    const devs = ['macvtap0', 'macvtap1', 'macvtap2'].map(
      (n) => linkIn(ns!, n) as { link?: string; linkinfo?: { info_kind?: string; info_data?: { mode?: string } } },
    );
    expect(devs.map((x) => [x.linkinfo?.info_kind, x.linkinfo?.info_data?.mode, x.link])).toEqual([
      ['macvtap', 'vepa', 'pool0'],
      ['macvtap', 'vepa', 'pool1'],
      ['macvtap', 'vepa', 'pool0'],
    ]);
    expect(await d.getXml('vepa')).toContain("<interface dev='pool0' connections='2'/>\n    <interface dev='pool1' connections='1'/>");
    await d.guestDestroy('t1');
    expect(linkIn(ns!, 'macvtap0')).toBeUndefined();
    await d.destroy('vepa');
  }, 60_000);

  it('passthrough gives each vNIC an interface of its own and refuses when none is free', async () => {
    const d = w!.driver;
    await d.define(directXml('pt', 'passthrough', ['pool1']));
    await d.start('pt');
    await d.guestDefine(guestXml('p1', { type: 'tap', nics: ['network:pt'] }));
    await d.guestDefine(guestXml('p2', { type: 'tap', nics: ['network:pt'] }));
    await d.guestStart('p1');
    // Numbered by libvirt's counter: after the previous test's macvtap0-2, this is macvtap3.
    const p1dev = (await d.guestInterfaces('p1'))[0]!.target!;
    expect(p1dev).toBe('macvtap3');
    expect((linkIn(ns!, p1dev) as { linkinfo?: { info_data?: { mode?: string } } }).linkinfo?.info_data?.mode).toBe('passthru');
    const e = await d.guestStart('p2').then(
      () => undefined,
      (err: unknown) => err as VirError,
    );
    expect(e?.message).toBe("internal error: network 'pt' requires exclusive access to interfaces, but none are available");
    expect(linkIn(ns!, 'macvtap4')).toBeUndefined();
    await d.guestDestroy('p1');
    await d.guestStart('p2');
    await d.guestDestroy('p2');
    await d.destroy('pt');
    expect(spawnSync('ip', ['-n', ns!, '-o', 'link', 'show', 'type', 'macvtap'], { encoding: 'utf8' }).stdout).toBe('');
  }, 60_000);
});
