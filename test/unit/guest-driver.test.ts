/**
 * The guest driver over the fake network runtime and the fake guest
 * backend: what a user sees from define, start, destroy, undefine, attach
 * and detach (live, config, current), lookups, domiflist, domifaddr,
 * guest-exec, bridge-show and events, with libvirt's texts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestXml, interfaceXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { isolatedXml, natXml } from '../support/network-testkit.js';
import { rejectionOf } from './support/vir-error.js';

let t: GuestTestDriver;
beforeEach(async () => {
  t = await startGuestTestDriver();
  await t.driver.define(natXml('default', '192.168.122'));
  await t.driver.define(isolatedXml('isolated', { subnet: '192.168.100' }));
  await t.driver.start('default');
  await t.driver.start('isolated');
});
afterEach(async () => {
  await t.dispose();
});

const U1 = '11111111-2222-3333-4444-555555555555';
const U2 = '66666666-7777-8888-9999-aaaaaaaaaaaa';

const connectionsOf = async (net: string): Promise<string | undefined> => /<network connections='(\d+)'/.exec(await t.driver.getXml(net))?.[1];

describe('define', () => {
  it('stores the inactive XML with the warning header, gives missing MACs unique 52:54:00 addresses, emits Defined', async () => {
    const info = await t.driver.guestDefine(guestXml('centos7.0', { uuid: U1, nics: ['network:default', 'network:isolated'] }));
    expect(info).toEqual({ name: 'centos7.0', uuid: U1, type: 'netns', active: false, persistent: true });
    const file = readFileSync(join(t.net.paths.guestConfigDir, 'centos7.0.xml'), 'utf8');
    expect(file.startsWith('<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE.')).toBe(true);
    expect(file).toContain('  virtnet edit centos7.0\n');
    const xml = await t.driver.guestGetXml('centos7.0', { inactive: true });
    expect(file.endsWith(`-->\n\n${xml}`)).toBe(true);
    expect(xml).toContain("<mac address='52:54:00:00:00:01'/>");
    expect(xml).toContain("<mac address='52:54:00:00:00:02'/>");
    // a second guest never gets an address already in use
    await t.driver.guestDefine(guestXml('other', { nics: ['network:default'] }));
    expect(await t.driver.guestGetXml('other')).toContain("<mac address='52:54:00:00:00:03'/>");
    expect(t.guestEvents()).toEqual(['centos7.0:Defined', 'other:Defined']);
  });

  it('keeps elements it does not know', async () => {
    const extra = "  <memory unit='KiB'>1048576</memory>\n  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n";
    await t.driver.guestDefine(guestXml('g', { uuid: U1, extra, nics: ['network:default@52:54:00:12:34:56'] }));
    const xml = await t.driver.guestGetXml('g');
    expect(xml).toContain("<memory unit='KiB'>1048576</memory>");
    expect(xml).toContain("<type arch='x86_64'>hvm</type>");
  });

  it("refuses libvirt's name and uuid clashes", async () => {
    await t.driver.guestDefine(guestXml('g1', { uuid: U1 }));
    expect((await rejectionOf(t.driver.guestDefine(guestXml('g2', { uuid: U1 })))).message).toBe(
      `operation failed: domain 'g1' is already defined with uuid ${U1}`,
    );
    expect((await rejectionOf(t.driver.guestDefine(guestXml('g1', { uuid: U2 })))).message).toBe(
      `operation failed: domain 'g1' already exists with uuid ${U1}`,
    );
  });

  it('redefining a running guest takes effect at its next start', async () => {
    await t.driver.guestDefine(guestXml('g', { uuid: U1, nics: ['network:default'] }));
    await t.driver.guestStart('g');
    await t.driver.guestDefine(guestXml('g', { uuid: U1, nics: ['network:default', 'network:isolated'] }));
    expect(await t.driver.guestInterfaces('g')).toHaveLength(1);
    expect(await t.driver.guestInterfaces('g', { inactive: true })).toHaveLength(2);
    await t.driver.guestDestroy('g');
    await t.driver.guestStart('g');
    expect(await t.driver.guestInterfaces('g')).toHaveLength(2);
  });
});

describe('lookups and list', () => {
  it("uses libvirt's NO_DOMAIN texts", async () => {
    expect((await rejectionOf(t.driver.guestLookupByName('nope'))).message).toBe("Domain not found: no domain with matching name 'nope'");
    expect((await rejectionOf(t.driver.guestLookupByUuid(U2))).message).toBe(`Domain not found: no domain with matching uuid '${U2}'`);
    expect((await rejectionOf(t.driver.guestStart('nope'))).errorClass).toBe('NO_DOMAIN');
  });

  it("lists in virsh's order: running by id, then shut off by name", async () => {
    for (const n of ['b', 'a', 'c', 'd']) await t.driver.guestDefine(guestXml(n));
    await t.driver.guestStart('c');
    await t.driver.guestStart('b');
    const all = await t.driver.guestList();
    expect(all.map((g) => [g.name, g.id ?? '-'])).toEqual([
      ['c', 1],
      ['b', 2],
      ['a', '-'],
      ['d', '-'],
    ]);
    expect((await t.driver.guestList({ inactive: true })).map((g) => g.name)).toEqual(['a', 'd']);
    expect((await t.driver.guestList({ active: true })).map((g) => g.name)).toEqual(['c', 'b']);
    expect((await t.driver.guestLookupByUuid((await t.driver.guestLookupByName('a')).uuid.toUpperCase())).name).toBe('a');
  });
});

describe('start and destroy', () => {
  it('makes a namespace, one vnetN per vNIC on its bridge, and shows them in the live XML', async () => {
    await t.driver.guestDefine(guestXml('centos7.0', { nics: ['network:default@52:54:00:aa:00:01', 'network:isolated@52:54:00:aa:00:02'] }));
    await t.driver.guestStart('centos7.0');
    expect(t.guestEvents()).toEqual(['centos7.0:Defined', 'centos7.0:Started']);
    const info = await t.driver.guestLookupByName('centos7.0');
    expect(info).toMatchObject({ active: true, id: 1 });
    expect(t.backend.portsOf('virbr0')).toEqual(['vnet0']);
    expect(t.backend.portsOf('virbr1')).toEqual(['vnet1']);
    expect(t.backend.devices.get('vnet0')).toMatchObject({
      kind: 'veth',
      mac: '52:54:00:aa:00:01',
      guestDev: 'eth0',
      netns: expect.stringMatching(/-g-centos7\.0$/),
    });
    expect(t.backend.devices.get('vnet1')).toMatchObject({ guestDev: 'eth1' });
    const live = await t.driver.guestGetXml('centos7.0');
    expect(live).toMatch(/^<domain type='netns' id='1'>/);
    expect(live).toMatch(
      /<source network='default' portid='[0-9a-f-]{36}' bridge='virbr0'\/>\n      <target dev='vnet0'\/>\n      <model type='virtio'\/>\n      <alias name='net0'\/>/,
    );
    expect(live).toContain("<alias name='net1'/>");
    // the network counts its connections
    expect(await connectionsOf('default')).toBe('1');
    expect(await connectionsOf('isolated')).toBe('1');
    // the status file and the record
    const status = readFileSync(join(t.net.paths.guestStatusDir, 'centos7.0.xml'), 'utf8');
    expect(status).toContain("<domstatus state='running' reason='booted'>\n  <domain type='netns' id='1'>\n");
    expect(existsSync(join(t.net.paths.guestStatusDir, 'centos7.0.json'))).toBe(true);
    // inactive XML keeps none of it
    const inactive = await t.driver.guestGetXml('centos7.0', { inactive: true });
    expect(inactive).not.toMatch(/vnet|portid|net0|id=/);
    expect((await rejectionOf(t.driver.guestStart('centos7.0'))).message).toBe('Requested operation is not valid: domain is already running');
  });

  it('removes every device and port on destroy; a transient guest vanishes', async () => {
    await t.driver.guestDefine(guestXml('g', { nics: ['network:default', 'network:default'] }));
    await t.driver.guestStart('g');
    expect(await connectionsOf('default')).toBe('2');
    await t.driver.guestUndefine('g');
    expect((await t.driver.guestLookupByName('g')).persistent).toBe(false);
    await t.driver.guestDestroy('g');
    expect(t.backend.devices.size).toBe(0);
    expect(t.backend.namespaces.size).toBe(0);
    expect(await connectionsOf('default')).toBeUndefined();
    expect(existsSync(join(t.net.paths.guestStatusDir, 'g.xml'))).toBe(false);
    expect((await rejectionOf(t.driver.guestLookupByName('g'))).errorClass).toBe('NO_DOMAIN');
    expect(t.guestEvents()).toEqual(['g:Defined', 'g:Started', 'g:Undefined', 'g:Stopped']);
  });

  it("fails with libvirt's text when a network is not active, leaving nothing behind", async () => {
    await t.driver.destroy('isolated');
    await t.driver.guestDefine(guestXml('g', { nics: ['network:default', 'network:isolated'] }));
    expect((await rejectionOf(t.driver.guestStart('g'))).message).toBe("Requested operation is not valid: network 'isolated' is not active");
    expect(t.backend.devices.size).toBe(0);
    expect(t.backend.namespaces.size).toBe(0);
    expect(await connectionsOf('default')).toBeUndefined();
    const info = await t.driver.guestLookupByName('g');
    expect(info.active).toBe(false);
    expect(info.id).toBeUndefined();
    expect(existsSync(join(t.net.paths.guestStatusDir, 'g.xml'))).toBe(false);
  });

  it("plugs type=bridge interfaces into the named bridge, with libvirt's text naming a missing one", async () => {
    await t.driver.guestDefine(guestXml('g', { nics: ['bridge:virbr1'] }));
    await t.driver.guestStart('g');
    expect(t.backend.portsOf('virbr1')).toEqual(['vnet0']);
    expect(await t.driver.guestGetXml('g')).toContain("<source bridge='virbr1'/>");
    await t.driver.guestDefine(guestXml('h', { nics: ['bridge:br9'] }));
    expect((await rejectionOf(t.driver.guestStart('h'))).message).toBe("Cannot get interface MTU on 'br9': No such device");
    expect((await rejectionOf(t.driver.guestDestroy('h'))).message).toBe('Requested operation is not valid: domain is not running');
  });

  it('gives tap guests persistent taps', async () => {
    await t.driver.guestDefine(guestXml('vm', { type: 'tap', nics: ['network:default'] }));
    await t.driver.guestStart('vm');
    expect(t.backend.devices.get('vnet0')).toMatchObject({ kind: 'tap', master: 'virbr0' });
    expect(t.backend.namespaces.size).toBe(0);
    expect((await rejectionOf(t.driver.guestExec('vm', ['true']))).message).toBe(
      "Operation not supported: guest-exec needs a netns guest; 'vm' is a tap guest",
    );
  });

  it('undefine of a transient guest fails as in libvirt', async () => {
    await t.driver.guestDefine(guestXml('g'));
    await t.driver.guestStart('g');
    await t.driver.guestUndefine('g');
    expect((await rejectionOf(t.driver.guestUndefine('g'))).message).toBe('Requested operation is not valid: cannot undefine transient domain');
  });
});

describe('attach-interface and detach-interface', () => {
  beforeEach(async () => {
    await t.driver.guestDefine(guestXml('centos7.0', { uuid: U1, nics: ['network:default@52:54:00:aa:00:01'] }));
  });

  it('--config --live adds the same vNIC to both definitions and plugs it in', async () => {
    await t.driver.guestStart('centos7.0');
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated', { model: 'virtio' }), { live: true, config: true });
    const live = await t.driver.guestInterfaces('centos7.0');
    const config = await t.driver.guestInterfaces('centos7.0', { inactive: true });
    expect(live).toEqual([
      { target: 'vnet0', type: 'network', source: 'default', model: 'virtio', mac: '52:54:00:aa:00:01', alias: 'net0' },
      { target: 'vnet1', type: 'network', source: 'isolated', model: 'virtio', mac: '52:54:00:00:00:01', alias: 'net1' },
    ]);
    expect(config).toEqual([
      { type: 'network', source: 'default', model: 'virtio', mac: '52:54:00:aa:00:01' },
      { type: 'network', source: 'isolated', model: 'virtio', mac: '52:54:00:00:00:01' },
    ]);
    expect(readFileSync(join(t.net.paths.guestConfigDir, 'centos7.0.xml'), 'utf8')).toContain("<source network='isolated'/>");
    expect(t.backend.portsOf('virbr1')).toEqual(['vnet1']);
    expect(t.backend.devices.get('vnet1')?.guestDev).toBe('eth1');
    expect(await connectionsOf('isolated')).toBe('1');
    expect(t.guestEvents()).toContain('centos7.0:DeviceAdded:net1');
  });

  it('current means live for a running guest and config for a shut-off one', async () => {
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated'), {});
    expect(await t.driver.guestInterfaces('centos7.0', { inactive: true })).toHaveLength(2);
    await t.driver.guestStart('centos7.0');
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'default', { mac: '52:54:00:bb:00:01' }), {});
    expect(await t.driver.guestInterfaces('centos7.0')).toHaveLength(3);
    expect(await t.driver.guestInterfaces('centos7.0', { inactive: true })).toHaveLength(2);
  });

  it('refuses live changes to a shut-off guest and config changes to a transient one', async () => {
    expect((await rejectionOf(t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated'), { live: true }))).message).toBe(
      'Requested operation is not valid: domain is not running',
    );
    await t.driver.guestStart('centos7.0');
    await t.driver.guestUndefine('centos7.0');
    expect((await rejectionOf(t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated'), { config: true }))).message).toBe(
      'Requested operation is not valid: transient domains do not have any persistent config',
    );
  });

  it('attaching to an inactive network fails and changes neither definition', async () => {
    await t.driver.guestStart('centos7.0');
    await t.driver.destroy('isolated');
    expect(
      (await rejectionOf(t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated'), { live: true, config: true }))).message,
    ).toBe("Requested operation is not valid: network 'isolated' is not active");
    expect(await t.driver.guestInterfaces('centos7.0')).toHaveLength(1);
    expect(await t.driver.guestInterfaces('centos7.0', { inactive: true })).toHaveLength(1);
    expect(readFileSync(join(t.net.paths.guestConfigDir, 'centos7.0.xml'), 'utf8')).not.toContain('isolated');
  });

  it('refuses an alias already in use', async () => {
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated', { alias: 'ua-a' }), { config: true });
    expect(
      (await rejectionOf(t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'default', { alias: 'ua-a' }), { config: true }))).message,
    ).toBe('unsupported configuration: non unique alias detected: ua-a');
  });

  it('detach by MAC with --config --live removes the vNIC from the kernel and the stored definition', async () => {
    await t.driver.guestStart('centos7.0');
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated', { mac: '52:54:00:aa:00:02' }), { live: true, config: true });
    const xml = "<interface type='network'>\n  <mac address='52:54:00:aa:00:02'/>\n  <source network='isolated'/>\n</interface>\n";
    await t.driver.guestDetachDevice('centos7.0', xml, { live: true, config: true });
    expect((await t.driver.guestInterfaces('centos7.0')).map((i) => i.mac)).toEqual(['52:54:00:aa:00:01']);
    expect((await t.driver.guestInterfaces('centos7.0', { inactive: true })).map((i) => i.mac)).toEqual(['52:54:00:aa:00:01']);
    expect(readFileSync(join(t.net.paths.guestConfigDir, 'centos7.0.xml'), 'utf8')).not.toContain('52:54:00:aa:00:02');
    expect(t.backend.portsOf('virbr1')).toEqual([]);
    expect(t.backend.devices.has('vnet1')).toBe(false);
    expect(await connectionsOf('isolated')).toBeUndefined();
    expect(t.guestEvents().slice(-1)).toEqual(['centos7.0:DeviceRemoved:net1']);
    // libvirt's counter moves on (vnet2), while the guest side reuses eth1
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated'), { live: true });
    expect(t.backend.devices.get('vnet1')).toBeUndefined();
    expect(t.backend.devices.get('vnet2')?.guestDev).toBe('eth1');
  });

  it("detach of a device the definition lacks fails with libvirt's texts", async () => {
    const xml = "<interface type='network'>\n  <mac address='52:54:00:ff:ff:ff'/>\n  <source network='default'/>\n</interface>\n";
    expect((await rejectionOf(t.driver.guestDetachDevice('centos7.0', xml, { config: true }))).message).toBe(
      'device not found: no device matching MAC address 52:54:00:ff:ff:ff found',
    );
    await t.driver.guestAttachDevice('centos7.0', interfaceXml('network', 'default', { mac: '52:54:00:aa:00:01' }), { config: true });
    const dup = "<interface type='network'>\n  <mac address='52:54:00:aa:00:01'/>\n  <source network='default'/>\n</interface>\n";
    expect((await rejectionOf(t.driver.guestDetachDevice('centos7.0', dup, { config: true }))).message).toBe(
      'operation failed: multiple devices matching MAC address 52:54:00:aa:00:01 found',
    );
  });
});

describe('addresses, guest-exec, bridges', () => {
  it('domifaddr reads the network leases of each vNIC', async () => {
    await t.driver.guestDefine(guestXml('g', { nics: ['network:default@52:54:00:aa:00:01', 'network:isolated@52:54:00:aa:00:02'] }));
    expect((await rejectionOf(t.driver.guestInterfaceAddresses('g'))).message).toBe('Requested operation is not valid: domain is not running');
    await t.driver.guestStart('g');
    const net = await t.net.driver.getXml('default');
    t.net.runtime.setLeases({ name: 'default', bridge: { name: 'virbr0' } }, [
      { iface: 'virbr0', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:aa:00:01', ipAddress: '192.168.122.10', prefix: 24 },
      { iface: 'virbr0', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:99:99:99', ipAddress: '192.168.122.11', prefix: 24 },
    ]);
    expect(net).toContain('default');
    expect(await t.driver.guestInterfaceAddresses('g')).toEqual([
      { name: 'vnet0', mac: '52:54:00:aa:00:01', protocol: 'ipv4', address: '192.168.122.10', prefix: 24 },
    ]);
  });

  it('guest-exec runs inside a running netns guest', async () => {
    await t.driver.guestDefine(guestXml('g', { nics: ['network:default'] }));
    expect((await rejectionOf(t.driver.guestExec('g', ['ip', 'addr']))).message).toBe('Requested operation is not valid: domain is not running');
    await t.driver.guestStart('g');
    expect(await t.driver.guestExec('g', ['ip', 'addr'])).toEqual({ exitCode: 0, stdout: 'ip addr\n', stderr: '' });
    expect((await rejectionOf(t.driver.guestExec('g', []))).errorClass).toBe('INVALID_ARG');
  });

  it('bridge-show lists bridges and their ports', async () => {
    await t.driver.guestDefine(guestXml('g', { nics: ['network:isolated', 'network:isolated'] }));
    await t.driver.guestStart('g');
    // A bridge's id is its MAC, the network's <mac>.
    const mac = /<mac address='([^']+)'/.exec(await t.driver.getXml('isolated'))?.[1] ?? '';
    const bridgeId = `8000.${mac.replaceAll(':', '')}`;
    expect(await t.driver.bridgePorts('virbr1')).toEqual([{ bridge: 'virbr1', bridgeId, stp: true, ports: ['vnet0', 'vnet1'] }]);
    expect((await t.driver.bridgePorts()).map((b) => b.bridge)).toEqual(['virbr0', 'virbr1']);
    expect((await rejectionOf(t.driver.bridgePorts('virbr9'))).message).toBe('bridge virbr9 does not exist!');
  });
});

describe('host names', () => {
  it("names devices and namespaces as the backends do, and writes brctl's bridge id", async () => {
    const { lowestFreeName, hostSideMac, guestNetnsName, brctlBridgeId } = await import('../../src/host/guest-names.js');
    expect(lowestFreeName('vnet', new Set(['vnet0', 'vnet2']))).toBe('vnet1');
    expect(lowestFreeName('eth', new Set())).toBe('eth0');
    expect(hostSideMac('52:54:00:12:34:56')).toBe('fe:54:00:12:34:56');
    expect(guestNetnsName('vnt-x-1', { name: 'centos7.0', uuid: U1 })).toBe('vnt-x-1-g-centos7.0');
    expect(guestNetnsName(null, { name: 'my guest', uuid: U1 })).toBe(`virtnet-g-${U1}`);
    // brctl show prints these for a bridge without ports and one with
    expect(brctlBridgeId('8000.0:0:0:0:0:0')).toBe('8000.000000000000');
    expect(brctlBridgeId('8000.22:9b:2e:9:22:22')).toBe('8000.229b2e092222');
  });
});

describe('device numbering', () => {
  it('counts up as libvirt does: a freed vnetN is not reused at once, names in use are skipped, owned ones reserved', async () => {
    const { DeviceNameCounter } = await import('../../src/host/guest-names.js');
    const c = new DeviceNameCounter();
    expect(c.next('vnet', new Set())).toBe('vnet0');
    expect(c.next('vnet', new Set())).toBe('vnet1');
    expect(c.next('vnet', new Set(['vnet2', 'vnet3']))).toBe('vnet4');
    c.reserve('vnet', 'vnet9');
    expect(c.next('vnet', new Set())).toBe('vnet10');
    expect(c.next('macvtap', new Set())).toBe('macvtap0');
  });
});
