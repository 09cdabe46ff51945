/**
 * The network driver's lifecycle over the fake runtime: what a user sees
 * from define, create, start, destroy, undefine, autostart, lookups, list,
 * getXml and events, with libvirt's texts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { VirError } from '../../src/util/errors.js';
import { rejectionOf } from './support/vir-error.js';

let t: TestDriver;
beforeEach(async () => {
  t = await startTestDriver();
});
afterEach(async () => {
  await t.dispose();
});

const U1 = '11111111-2222-3333-4444-555555555555';
const U2 = '66666666-7777-8888-9999-aaaaaaaaaaaa';

describe('define', () => {
  it('saves the inactive XML with the warning header and emits Defined', async () => {
    const info = await t.driver.define(isolatedXml('iso', { uuid: U1, subnet: '10.1.1' }));
    expect(info).toEqual({ name: 'iso', uuid: U1, active: false, persistent: true, autostart: false, bridge: 'virbr0' });
    const file = readFileSync(join(t.paths.networkConfigDir, 'iso.xml'), 'utf8');
    expect(file.startsWith('<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE.')).toBe(true);
    expect(file).toContain('  virtnet net-edit iso\n');
    const xml = await t.driver.getXml('iso', { inactive: true });
    expect(file.endsWith(`-->\n\n${xml}`)).toBe(true);
    expect(xml).toContain("<bridge name='virbr0' stp='on' delay='0'/>");
    expect(xml).toMatch(/<mac address='52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}'\/>/);
    expect(t.lifecycle()).toEqual(['iso:Defined']);
    // nothing is started, no status file, no temp file left behind
    expect(t.runtime.callsOf('start')).toEqual([]);
    expect(existsSync(join(t.paths.networkStatusDir, 'iso.xml'))).toBe(false);
    expect(readdirSync(t.paths.networkConfigDir)).toEqual(['iso.xml']);
  });

  it('gives each network the lowest free virbrN, skipping host links', async () => {
    t.kernel.links.add('virbr1');
    await t.driver.define(isolatedXml('a'));
    await t.driver.define(isolatedXml('b'));
    await t.driver.define(isolatedXml('c', { bridge: 'mybr%d' }));
    expect((await t.driver.lookupByName('a')).bridge).toBe('virbr0');
    expect((await t.driver.lookupByName('b')).bridge).toBe('virbr2');
    expect((await t.driver.lookupByName('c')).bridge).toBe('mybr0');
  });

  it('refuses an explicit bridge name another network uses', async () => {
    await t.driver.define(isolatedXml('a', { bridge: 'br7' }));
    const e = await rejectionOf(t.driver.define(isolatedXml('b', { bridge: 'br7' })));
    expect(e.message).toBe("internal error: bridge name 'br7' already in use.");
    expect(await t.driver.list()).toHaveLength(1);
  });

  it('refuses the same name with another uuid, and a redefinition without uuid', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1 }));
    const e = await rejectionOf(t.driver.define(isolatedXml('net', { uuid: U2 })));
    expect(e.errorClass).toBe('OPERATION_FAILED');
    expect(e.message).toBe(`operation failed: network 'net' already exists with uuid ${U1}`);
    const e2 = await rejectionOf(t.driver.define(isolatedXml('net')));
    expect(e2.message).toBe(`operation failed: network 'net' already exists with uuid ${U1}`);
  });

  it('refuses the same uuid with another name', async () => {
    await t.driver.define(isolatedXml('old', { uuid: U1 }));
    const e = await rejectionOf(t.driver.define(isolatedXml('new', { uuid: U1 })));
    expect(e.message).toBe(`operation failed: network 'old' is already defined with uuid ${U1}`);
  });

  it('redefines a stopped network in place, keeping its bridge', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.1.1' }));
    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.1.2' }));
    const xml = await t.driver.getXml('net');
    expect(xml).toContain("<ip address='10.1.2.1'");
    expect(xml).toContain("<bridge name='virbr0'");
    expect(readFileSync(join(t.paths.networkConfigDir, 'net.xml'), 'utf8')).toContain("<ip address='10.1.2.1'");
    expect(t.lifecycle()).toEqual(['net:Defined', 'net:Defined']);
  });

  it('a redefinition of a running network takes effect at its next start', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.1.1' }));
    await t.driver.start('net');
    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.1.2' }));
    expect(await t.driver.getXml('net')).toContain("<ip address='10.1.1.1'");
    expect(await t.driver.getXml('net', { inactive: true })).toContain("<ip address='10.1.2.1'");
    await t.driver.destroy('net');
    expect(await t.driver.getXml('net')).toContain("<ip address='10.1.2.1'");
    await t.driver.start('net');
    expect(await t.driver.getXml('net')).toContain("<ip address='10.1.2.1'");
  });

  it('defining a running transient network makes it persistent', async () => {
    await t.driver.create(isolatedXml('tr', { uuid: U1 }));
    const info = await t.driver.define(isolatedXml('tr', { uuid: U1, subnet: '10.3.3' }));
    expect(info).toMatchObject({ active: true, persistent: true });
    expect(await t.driver.getXml('tr')).not.toContain('<ip');
    await t.driver.destroy('tr');
    expect(await t.driver.lookupByName('tr')).toMatchObject({ active: false, persistent: true });
    expect(await t.driver.getXml('tr')).toContain("<ip address='10.3.3.1'");
  });

  it('reports XML errors as libvirt does', async () => {
    const e = await rejectionOf(t.driver.define('<network><name>x</nam></network>'));
    expect(e.message).toMatch(/^\(network_definition\):1: Opening and ending tag mismatch: name line 1 and nam\n/);
    expect((await rejectionOf(t.driver.define('<network/>'))).message).toBe('missing name information');
    expect((await rejectionOf(t.driver.define('<domain/>'))).message).toBe("XML error: expecting root element of 'network', not 'domain'");
    const range = isolatedXml('r', {
      extra: "  <ip address='10.9.9.1' prefix='24'><dhcp><range start='10.9.8.2' end='10.9.9.9'/></dhcp></ip>\n",
    });
    expect((await rejectionOf(t.driver.define(range))).message).toBe(
      'internal error: range 10.9.8.2 - 10.9.9.9 is not entirely within network 10.9.9.1/24',
    );
    expect(await t.driver.list()).toEqual([]);
  });

  it('with validate, checks the schema first', async () => {
    const xml = '<network>\n  <name>v</name>\n  <bogus/>\n</network>\n';
    const e = await rejectionOf(t.driver.define(xml, { validate: true }));
    expect(e.errorClass).toBe('XML_INVALID_SCHEMA');
    expect(e.message).toMatch(/^XML document failed to validate against schema: Unable to validate doc against \S+network\.rng\n/);
    // without it, libvirt's parser ignores the unknown element
    await t.driver.define(xml);
  });
});

describe('create', () => {
  it('starts a transient network and emits Started only', async () => {
    const info = await t.driver.create(isolatedXml('tr', { uuid: U1, subnet: '10.4.4' }));
    expect(info).toEqual({ name: 'tr', uuid: U1, active: true, persistent: false, autostart: false, bridge: 'virbr0' });
    expect(t.lifecycle()).toEqual(['tr:Started']);
    expect(existsSync(join(t.paths.networkConfigDir, 'tr.xml'))).toBe(false);
    expect(existsSync(join(t.paths.networkStatusDir, 'tr.xml'))).toBe(true);
    expect(t.kernel.links.has('virbr0')).toBe(true);
  });

  it('refuses to create a network that runs: "network is already active as"', async () => {
    await t.driver.create(isolatedXml('tr', { uuid: U1 }));
    const e = await rejectionOf(t.driver.create(isolatedXml('tr', { uuid: U1 })));
    expect(e.errorClass).toBe('OPERATION_INVALID');
    expect(e.message).toBe("Requested operation is not valid: network is already active as 'tr'");
  });

  it('over a stopped persistent network of the same uuid: runs the given def, keeps the config', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.5.1' }));
    const info = await t.driver.create(isolatedXml('net', { uuid: U1, subnet: '10.5.2' }));
    expect(info).toMatchObject({ active: true, persistent: true });
    expect(await t.driver.getXml('net')).toContain("<ip address='10.5.2.1'");
    expect(await t.driver.getXml('net', { inactive: true })).toContain("<ip address='10.5.1.1'");
    await t.driver.destroy('net');
    expect(await t.driver.lookupByName('net')).toMatchObject({ active: false, persistent: true });
    expect(await t.driver.getXml('net')).toContain("<ip address='10.5.1.1'");
  });

  it('a failed create leaves nothing behind; a persistent network keeps its config', async () => {
    t.runtime.failNext('start', new VirError('INTERNAL_ERROR', 'boom'));
    const e = await rejectionOf(t.driver.create(isolatedXml('tr')));
    expect(e.message).toBe('internal error: boom');
    expect((await rejectionOf(t.driver.lookupByName('tr'))).errorClass).toBe('NO_NETWORK');
    expect(t.events).toEqual([]);

    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.5.1' }));
    t.runtime.failNext('start', new VirError('INTERNAL_ERROR', 'boom'));
    await rejectionOf(t.driver.create(isolatedXml('net', { uuid: U1, subnet: '10.5.2' })));
    expect(await t.driver.lookupByName('net')).toMatchObject({ active: false, persistent: true });
    expect(await t.driver.getXml('net')).toContain("<ip address='10.5.1.1'");
  });

  it('a destroyed transient network vanishes, with its files', async () => {
    await t.driver.create(isolatedXml('tr', { uuid: U1 }));
    await t.driver.destroy('tr');
    const e = await rejectionOf(t.driver.lookupByName('tr'));
    expect(e.message).toBe("Network not found: no network with matching name 'tr'");
    expect(t.runtime.callsOf('cleanup')).toEqual(['tr']);
    expect(existsSync(join(t.paths.networkStatusDir, 'tr.xml'))).toBe(false);
    expect(t.kernel.links.size).toBe(0);
    expect(t.lifecycle()).toEqual(['tr:Started', 'tr:Stopped']);
  });
});

describe('start and destroy', () => {
  beforeEach(async () => {
    await t.driver.define(natXml('nat', '10.20.1', { uuid: U1 }));
  });

  it('starts: status file, runtime record, event; a second start is refused', async () => {
    await t.driver.start('nat');
    expect(await t.driver.lookupByName('nat')).toMatchObject({ active: true, persistent: true });
    const status = readFileSync(join(t.paths.networkStatusDir, 'nat.xml'), 'utf8');
    expect(status).toContain('<networkstatus>');
    expect(status).toContain('&quot;runtime&quot;:&quot;fake&quot;');
    expect(t.lifecycle()).toEqual(['nat:Defined', 'nat:Started']);
    const e = await rejectionOf(t.driver.start('nat'));
    expect(e.message).toBe('Requested operation is not valid: network is already active');
  });

  it("a NAT network's live XML shows libvirt's port range, its config does not", async () => {
    await t.driver.start('nat');
    expect(await t.driver.getXml('nat')).toContain(
      "  <forward mode='nat'>\n    <nat>\n      <port start='1024' end='65535'/>\n    </nat>\n  </forward>\n",
    );
    expect(await t.driver.getXml('nat', { inactive: true })).toContain("  <forward mode='nat'/>\n");
    await t.driver.destroy('nat');
    expect(await t.driver.getXml('nat')).toContain("  <forward mode='nat'/>\n");
  });

  it('destroy stops it and keeps the config; destroying again is refused', async () => {
    await t.driver.start('nat');
    await t.driver.destroy('nat');
    expect(await t.driver.lookupByName('nat')).toMatchObject({ active: false, persistent: true });
    expect(existsSync(join(t.paths.networkStatusDir, 'nat.xml'))).toBe(false);
    expect(existsSync(join(t.paths.networkConfigDir, 'nat.xml'))).toBe(true);
    expect(t.runtime.callsOf('cleanup')).toEqual([]);
    const e = await rejectionOf(t.driver.destroy('nat'));
    expect(e.message).toBe("Requested operation is not valid: network 'nat' is not active");
    expect(t.lifecycle()).toEqual(['nat:Defined', 'nat:Started', 'nat:Stopped']);
  });

  it('a failed start leaves the network stopped and unchanged, with no event', async () => {
    t.runtime.failNext('start', new VirError('INTERNAL_ERROR', 'Network is already in use by interface eth0'));
    const e = await rejectionOf(t.driver.start('nat'));
    expect(e.message).toBe('internal error: Network is already in use by interface eth0');
    expect(await t.driver.lookupByName('nat')).toMatchObject({ active: false });
    expect(await t.driver.getXml('nat')).toContain("<forward mode='nat'/>");
    expect(existsSync(join(t.paths.networkStatusDir, 'nat.xml'))).toBe(false);
    expect(t.lifecycle()).toEqual(['nat:Defined']);
    await t.driver.start('nat');
  });

  it('hands the runtime the other active networks, so overlapping subnets are refused', async () => {
    await t.driver.define(natXml('other', '10.20.1'));
    await t.driver.start('nat');
    const e = await rejectionOf(t.driver.start('other'));
    expect(e.message).toBe('internal error: Network is already in use by interface virbr0');
    expect(t.runtime.calls.filter((c) => c.op === 'start').map((c) => c.detail)).toEqual([[], ['nat']]);
  });

  it('a failed destroy keeps the network running', async () => {
    await t.driver.start('nat');
    const status = readFileSync(join(t.paths.networkStatusDir, 'nat.xml'), 'utf8');
    t.runtime.failNext('stop', new VirError('INTERNAL_ERROR', 'cannot delete'));
    await rejectionOf(t.driver.destroy('nat'));
    expect(await t.driver.lookupByName('nat')).toMatchObject({ active: true });
    // The status file is back as it was, and the stop's entry is gone.
    expect(readFileSync(join(t.paths.networkStatusDir, 'nat.xml'), 'utf8')).toBe(status);
    expect(existsSync(join(t.paths.networkStatusDir, 'nat.stopping'))).toBe(false);
    await t.driver.destroy('nat');
    expect(readdirSync(t.paths.networkStatusDir).filter((f) => f.startsWith('nat.'))).toEqual([]);
  });

  it("a bridge-mode network uses the host's bridge and creates none", async () => {
    await t.driver.define("<network>\n  <name>hostbr</name>\n  <forward mode='bridge'/>\n  <bridge name='br0'/>\n</network>\n");
    await t.driver.start('hostbr');
    expect(await t.driver.lookupByName('hostbr')).toMatchObject({ active: true, bridge: 'br0' });
    expect(t.kernel.links.has('br0')).toBe(false);
  });
});

describe('live def', () => {
  it("a <pf> network's live XML lists the pool the runtime built; its config does not", async () => {
    await t.driver.define("<network>\n  <name>vf</name>\n  <forward mode='passthrough'>\n    <pf dev='eth9'/>\n  </forward>\n</network>\n");
    await t.driver.start('vf');
    const live = await t.driver.getXml('vf');
    expect(live).toContain("    <pf dev='eth9'/>\n    <interface dev='eth9v0'/>\n    <interface dev='eth9v1'/>\n");
    expect(await t.driver.getXml('vf', { inactive: true })).not.toContain('eth9v0');
    await t.driver.destroy('vf');
    expect(await t.driver.getXml('vf')).not.toContain('eth9v0');
  });
});

describe('undefine', () => {
  it('removes a stopped network, its config, autostart link and files', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1 }));
    await t.driver.setAutostart('net', true);
    await t.driver.undefine('net');
    expect((await rejectionOf(t.driver.lookupByUuid(U1))).message).toBe(`Network not found: no network with matching uuid '${U1}'`);
    expect(readdirSync(t.paths.networkConfigDir)).toEqual(['autostart']);
    expect(readdirSync(t.paths.networkAutostartDir)).toEqual([]);
    expect(t.runtime.callsOf('cleanup')).toEqual(['net']);
    expect(t.lifecycle()).toEqual(['net:Defined', 'net:Undefined']);
  });

  it('leaves a running network running, as transient; destroying it then makes it vanish', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1 }));
    await t.driver.setAutostart('net', true);
    await t.driver.start('net');
    await t.driver.undefine('net');
    expect(await t.driver.lookupByName('net')).toEqual({
      name: 'net',
      uuid: U1,
      active: true,
      persistent: false,
      autostart: false,
      bridge: 'virbr0',
    });
    expect(existsSync(join(t.paths.networkConfigDir, 'net.xml'))).toBe(false);
    expect(existsSync(join(t.paths.networkAutostartDir, 'net.xml'))).toBe(false);
    const e = await rejectionOf(t.driver.undefine('net'));
    expect(e.message).toBe("Requested operation is not valid: can't undefine transient network");
    await t.driver.destroy('net');
    expect((await rejectionOf(t.driver.lookupByName('net'))).errorClass).toBe('NO_NETWORK');
    expect(t.lifecycle()).toEqual(['net:Defined', 'net:Started', 'net:Undefined', 'net:Stopped']);
  });
});

describe('autostart', () => {
  it('links CONFIG/networks/autostart/NAME.xml to the config and unlinks it', async () => {
    await t.driver.define(isolatedXml('net'));
    await t.driver.setAutostart('net', true);
    const link = join(t.paths.networkAutostartDir, 'net.xml');
    expect(readlinkSync(link)).toBe(join(t.paths.networkConfigDir, 'net.xml'));
    expect((await t.driver.lookupByName('net')).autostart).toBe(true);
    await t.driver.setAutostart('net', true);
    await t.driver.setAutostart('net', false);
    expect(existsSync(link)).toBe(false);
    expect((await t.driver.lookupByName('net')).autostart).toBe(false);
  });

  it('is refused for a transient network', async () => {
    await t.driver.create(isolatedXml('tr'));
    const e = await rejectionOf(t.driver.setAutostart('tr', true));
    expect(e.message).toBe('Requested operation is not valid: cannot set autostart for transient network');
  });
});

describe('lookups and list', () => {
  it("uses libvirt's NO_NETWORK texts and accepts any uuid spelling", async () => {
    expect((await rejectionOf(t.driver.lookupByName('foo'))).message).toBe("Network not found: no network with matching name 'foo'");
    expect((await rejectionOf(t.driver.start('foo'))).message).toBe("Network not found: no network with matching name 'foo'");
    expect((await rejectionOf(t.driver.getXml('foo'))).errorClass).toBe('NO_NETWORK');
    await t.driver.define(isolatedXml('net', { uuid: U1 }));
    expect((await t.driver.lookupByUuid(U1.toUpperCase())).name).toBe('net');
    expect((await t.driver.lookupByUuid(U1.replace(/-/g, ''))).name).toBe('net');
    expect((await rejectionOf(t.driver.lookupByUuid(U2))).message).toBe(`Network not found: no network with matching uuid '${U2}'`);
  });

  it('filters as virConnectListAllNetworks does, sorted by name', async () => {
    await t.driver.define(isolatedXml('b-inactive'));
    await t.driver.define(isolatedXml('A-auto'));
    await t.driver.setAutostart('A-auto', true);
    await t.driver.start('A-auto');
    await t.driver.create(isolatedXml('c-transient'));
    const names = async (f?: Parameters<typeof t.driver.list>[0]): Promise<string[]> => (await t.driver.list(f)).map((n) => n.name);
    expect(await names()).toEqual(['A-auto', 'b-inactive', 'c-transient']);
    expect(await names({ active: true })).toEqual(['A-auto', 'c-transient']);
    expect(await names({ inactive: true })).toEqual(['b-inactive']);
    expect(await names({ active: true, inactive: true })).toEqual(['A-auto', 'b-inactive', 'c-transient']);
    expect(await names({ persistent: true })).toEqual(['A-auto', 'b-inactive']);
    expect(await names({ transient: true })).toEqual(['c-transient']);
    expect(await names({ autostart: true })).toEqual(['A-auto']);
    expect(await names({ noAutostart: true, active: true })).toEqual(['c-transient']);
    expect(await names({ persistent: true, noAutostart: true })).toEqual(['b-inactive']);
  });

  it('shows the title, for net-list --title', async () => {
    await t.driver.define(isolatedXml('net', { extra: '  <title>My net</title>\n' }));
    expect((await t.driver.list())[0]!.title).toBe('My net');
  });
});

describe('getXml', () => {
  it('returns the live def, or with inactive the persistent one', async () => {
    await t.driver.define(isolatedXml('net', { uuid: U1, subnet: '10.6.6' }));
    const inactive = await t.driver.getXml('net', { inactive: true });
    expect(await t.driver.getXml('net')).toBe(inactive);
    expect(inactive.startsWith(`<network>\n  <name>net</name>\n  <uuid>${U1}</uuid>\n`)).toBe(true);
    // a transient network's inactive XML is its live def, formatted inactive
    await t.driver.create(isolatedXml('tr'));
    expect(await t.driver.getXml('tr', { inactive: true })).toContain('<name>tr</name>');
  });
});

describe('close', () => {
  it('leaves networks running and refuses further calls', async () => {
    await t.driver.create(isolatedXml('tr'));
    await t.driver.close();
    expect(t.kernel.links.has('virbr0')).toBe(true);
    expect(t.runtime.callsOf('stop')).toEqual([]);
    const e = await rejectionOf(t.driver.list());
    expect(e.message).toBe('internal error: network state driver is not active');
  });
});

describe('a running network changed behind the runtime', () => {
  it('shows as degraded, with why, until the runtime repairs it; a health event goes out each time', async () => {
    await t.driver.define(natXml('h1', '10.61.1'));
    await t.driver.start('h1');
    await t.driver.define(natXml('h2', '10.61.2'));
    const uuid = (await t.driver.lookupByName('h1')).uuid;
    expect((await t.driver.lookupByName('h1')).degraded).toBeUndefined();

    t.runtime.reportHealth({ network: 'h1', state: 'degraded', reason: 'firewall rules changed outside virtnetd: the table is gone' });
    expect((await t.driver.lookupByName('h1')).degraded).toBe('firewall rules changed outside virtnetd: the table is gone');
    expect((await t.driver.list()).map((n) => [n.name, n.degraded])).toEqual([
      ['h1', 'firewall rules changed outside virtnetd: the table is gone'],
      ['h2', undefined],
    ]);
    // A report about a network that does not run changes nothing.
    t.runtime.reportHealth({ network: 'h2', state: 'degraded', reason: 'x' });
    expect((await t.driver.lookupByName('h2')).degraded).toBeUndefined();

    t.runtime.reportHealth({ network: 'h1', state: 'repaired', reason: 'firewall rules re-applied' });
    expect('degraded' in (await t.driver.lookupByName('h1'))).toBe(false);
    const health = t.events.filter((e) => e.kind === 'health');
    expect(health).toEqual([
      {
        kind: 'health',
        state: 'degraded',
        network: { name: 'h1', uuid },
        reason: 'firewall rules changed outside virtnetd: the table is gone',
        time: expect.any(Number),
      },
      { kind: 'health', state: 'repaired', network: { name: 'h1', uuid }, reason: 'firewall rules re-applied', time: expect.any(Number) },
    ]);

    // Stopping forgets it.
    t.runtime.reportHealth({ network: 'h1', state: 'degraded', reason: 'again' });
    await t.driver.destroy('h1');
    await t.driver.start('h1');
    expect((await t.driver.lookupByName('h1')).degraded).toBeUndefined();
  });
});
