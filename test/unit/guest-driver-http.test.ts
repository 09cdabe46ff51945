/**
 * The guest driver served by virtnetd's HTTP API and called through the
 * typed client, on a temporary unix socket: every guest method round-trips
 * with the driver's own errors, changes are refused on the read-only
 * socket with the libvirt API they stand for, network destroy/undefine
 * carry `force`, and guest events reach subscribers over SSE.
 */
import { describe, expect, it } from 'vitest';
import type { HttpVirtnetClient } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { isolatedXml, natXml } from '../support/network-testkit.js';
import { guestXml, interfaceXml } from '../support/guest-testkit.js';
import { pollUntil } from '../support/poll.js';
import { rejectionOf } from './support/vir-error.js';
import { serveGuestsForEachTest } from './support/served-guests.js';

const served = serveGuestsForEachTest('virtnet-guest-http-');

function open(readonly = false): Promise<HttpVirtnetClient> {
  return served.api.open({ uri: `unix://${served.api.sock}`, readonly });
}

function until(check: () => boolean, ms = 3000): Promise<void> {
  return pollUntil(check, { ms, everyMs: 10 });
}

describe('guests over HTTP', () => {
  it('replays the tutorial: define, start, attach, domiflist, detach, bridge-show, guest-exec', async () => {
    const c = await open();
    await c.define(natXml('default', '192.168.122'));
    await c.define(isolatedXml('isolated', { subnet: '192.168.100' }));
    await c.start('default');
    await c.start('isolated');
    const info = await c.guestDefine(guestXml('centos7.0', { nics: ['network:default'] }));
    expect(info).toMatchObject({ name: 'centos7.0', type: 'netns', active: false, persistent: true });
    expect(await c.guestLookupByUuid(info.uuid)).toEqual(info);
    await c.guestStart('centos7.0');
    expect(await c.guestLookupByName('centos7.0')).toMatchObject({ active: true, id: 1 });
    expect((await c.guestList({ active: true })).map((g) => g.name)).toEqual(['centos7.0']);
    expect(await c.guestList({ inactive: true })).toEqual([]);
    await c.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated', { model: 'virtio' }), { config: true, live: true });
    const nics = await c.guestInterfaces('centos7.0');
    expect(nics.map((n) => [n.target, n.type, n.source, n.model])).toEqual([
      ['vnet0', 'network', 'default', 'virtio'],
      ['vnet1', 'network', 'isolated', 'virtio'],
    ]);
    expect((await c.guestInterfaces('centos7.0', { inactive: true })).every((n) => n.target === undefined)).toBe(true);
    expect(await c.guestGetXml('centos7.0')).toContain("<target dev='vnet1'/>");
    expect(await c.guestGetXml('centos7.0', { inactive: true })).not.toContain('vnet');
    const bridgeMac = /<mac address='([^']+)'/.exec(await c.getXml('isolated'))?.[1] ?? '';
    expect(await c.bridgePorts('virbr1')).toEqual([
      { bridge: 'virbr1', bridgeId: `8000.${bridgeMac.replaceAll(':', '')}`, stp: true, ports: ['vnet1'] },
    ]);
    expect(await c.guestExec('centos7.0', ['ip', '-br', 'addr'])).toEqual({ exitCode: 0, stdout: 'ip -br addr\n', stderr: '' });
    expect(await c.guestInterfaceAddresses('centos7.0')).toEqual([]);
    const mac = nics[1]!.mac;
    await c.guestDetachDevice('centos7.0', `<interface type='network'>\n  <mac address='${mac}'/>\n  <source network='isolated'/>\n</interface>\n`, {
      config: true,
      live: true,
    });
    expect((await c.guestInterfaces('centos7.0')).map((n) => n.target)).toEqual(['vnet0']);
    expect(await c.guestInterfaces('centos7.0', { inactive: true })).toHaveLength(1);
    await c.guestDestroy('centos7.0');
    await c.guestUndefine('centos7.0');
    expect((await rejectionOf(c.guestLookupByName('centos7.0'))).message).toBe("Domain not found: no domain with matching name 'centos7.0'");
  });

  it("brings the driver's errors back unchanged", async () => {
    const c = await open();
    await c.guestDefine(guestXml('g', { nics: ['network:nowhere'] }));
    const e = await rejectionOf(c.guestStart('g'));
    expect(e.message).toBe("Network not found: no network with matching name 'nowhere'");
    expect((await rejectionOf(c.guestAttachDevice('g', interfaceXml('network', 'x'), { live: true }))).message).toBe(
      'Requested operation is not valid: domain is not running',
    );
    expect(
      (await rejectionOf(c.guestDetachDevice('g', interfaceXml('network', 'x', { mac: '52:54:00:01:02:03' }), { config: true }))).errorClass,
    ).toBe('DEVICE_MISSING');
    expect((await rejectionOf(c.bridgePorts('virbr9'))).message).toBe('bridge virbr9 does not exist!');
    expect((await rejectionOf(c.guestExec('g', ['id']))).message).toBe('Requested operation is not valid: domain is not running');
  });

  it('needs force to destroy or undefine a network with running guests attached', async () => {
    const c = await open();
    await c.define(isolatedXml('isolated', { subnet: '192.168.100' }));
    await c.start('isolated');
    await c.guestDefine(guestXml('web', { nics: ['network:isolated'] }));
    await c.guestStart('web');
    expect((await rejectionOf(c.destroy('isolated'))).message).toBe(
      "Requested operation is not valid: network 'isolated' has guests attached: web (use --force to destroy it anyway)",
    );
    expect((await rejectionOf(c.undefine('isolated'))).message).toBe(
      "Requested operation is not valid: network 'isolated' has guests attached: web (use --force to undefine it anyway)",
    );
    await c.destroy('isolated', { force: true });
    await c.undefine('isolated', { force: true });
    expect(await c.list({ inactive: true })).toEqual([]);
  });
});

describe('the read-only socket', () => {
  it('refuses every guest change with the libvirt API it stands for and serves reads', async () => {
    const rw = await open();
    await rw.guestDefine(guestXml('g'));
    const ro = await open(true);
    const refused = async (p: Promise<unknown>): Promise<string> => (await rejectionOf(p)).message;
    expect(await refused(ro.guestDefine(guestXml('h')))).toBe('operation forbidden: read only access prevents virDomainDefineXML');
    expect(await refused(ro.guestUndefine('g'))).toBe('operation forbidden: read only access prevents virDomainUndefine');
    expect(await refused(ro.guestStart('g'))).toBe('operation forbidden: read only access prevents virDomainCreate');
    expect(await refused(ro.guestDestroy('g'))).toBe('operation forbidden: read only access prevents virDomainDestroy');
    expect(await refused(ro.guestAttachDevice('g', interfaceXml('network', 'x'), {}))).toBe(
      'operation forbidden: read only access prevents virDomainAttachDeviceFlags',
    );
    expect(await refused(ro.guestDetachDevice('g', interfaceXml('network', 'x'), {}))).toBe(
      'operation forbidden: read only access prevents virDomainDetachDeviceFlags',
    );
    expect(await refused(ro.guestExec('g', ['id']))).toBe('operation forbidden: read only access prevents virDomainLxcEnterNamespace');
    expect(await refused(ro.destroy('x', { force: true }))).toBe('operation forbidden: read only access prevents virNetworkDestroy');
    expect((await ro.guestList()).map((g) => g.name)).toEqual(['g']);
    expect(await ro.guestGetXml('g')).toContain('<name>g</name>');
    expect(await ro.guestInterfaces('g')).toEqual([]);
    expect(await ro.bridgePorts()).toEqual([]);
  });
});

describe('events', () => {
  it('carries guest lifecycle and device events over the stream', async () => {
    const c = await open();
    await c.define(isolatedXml('isolated', { subnet: '192.168.100' }));
    await c.start('isolated');
    const got: DriverEvent[] = [];
    const off = c.subscribe((e) => got.push(e));
    await c.eventsReady();
    await c.guestDefine(guestXml('g'));
    await c.guestStart('g');
    await c.guestAttachDevice('g', interfaceXml('network', 'isolated', { alias: 'ua-nic1' }), { live: true });
    await c.guestDetachDevice('g', interfaceXml('network', 'isolated', { mac: '52:54:00:00:00:01' }), { live: true });
    await c.guestDestroy('g');
    await c.guestUndefine('g');
    await until(() => got.filter((e) => e.kind === 'guest').length === 6);
    const guestEvents = got.flatMap((e) => (e.kind === 'guest' ? [`${e.event}${e.device ? `:${e.device}` : ''}`] : []));
    expect(guestEvents).toEqual(['Defined', 'Started', 'DeviceAdded:ua-nic1', 'DeviceRemoved:ua-nic1', 'Stopped', 'Undefined']);
    expect(got.find((e) => e.kind === 'guest')).toMatchObject({ kind: 'guest', guest: { name: 'g' } });
    off();
  });
});
