/**
 * The typed client against a real virtnetd HTTP server (the API over the
 * real network driver on the fake runtime) on a temporary unix socket and
 * on 127.0.0.1: every driver method round-trips, the daemon's errors come
 * back as the same VirErrors, an absent daemon gives libvirt's connect
 * error, the read-only socket and the TCP token behave, and subscribe()
 * delivers events over SSE.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { pollUntil } from '../support/poll.js';
import { serveApi, type ServedApi } from './support/api-sockets.js';
import { rejectionOf } from './support/vir-error.js';
import { escapeXmlText } from '../../src/xml/escape.js';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { type DriverClient, driverClient } from '../support/driver-client.js';

let dir: string;
let sock: string;
let t: TestDriver;
let driver: DriverClient;
let api: ServedApi;
const token = 'a1'.repeat(32);

function open(uri = `unix://${sock}`, extra: { readonly?: boolean; token?: string } = {}): Promise<HttpVirtnetClient> {
  return api.open({ uri, ...extra });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtnet-client-'));
  sock = join(dir, 'virtnetd.sock');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A network on bridge vb-NAME, with an address on 10.8.0.0/24. */
const NET_XML = (name: string): string => isolatedXml(name, { bridge: `vb-${name}`, subnet: '10.8.0' });

beforeEach(async () => {
  // Event times from a fixed clock, so a test can name them.
  t = await startTestDriver({ now: () => 5 });
  driver = driverClient(t.driver);
  api = await serveApi(driver, dir, token);
});

afterEach(async () => {
  await api.close();
  await t.dispose();
});

describe('every driver method over HTTP', () => {
  it('round-trips the whole network life cycle', async () => {
    const c = await open();
    const info = await c.define(NET_XML('net1'), { validate: true });
    expect(info).toMatchObject({ name: 'net1', active: false, persistent: true, autostart: false, bridge: 'vb-net1' });
    expect(driver.calls.at(-1)).toEqual({ method: 'define', args: [NET_XML('net1'), { validate: true }] });
    expect(await c.lookupByName('net1')).toEqual(info);
    expect(await c.lookupByUuid(info.uuid)).toEqual(info);
    await c.start('net1');
    expect((await c.list({ active: true })).map((n) => n.name)).toEqual(['net1']);
    expect(await c.list({ inactive: true })).toEqual([]);
    expect(driver.calls.at(-1)).toEqual({ method: 'list', args: [{ inactive: true }] });
    expect(await c.getXml('net1', { inactive: true })).toBe(await t.driver.getXml('net1', { inactive: true }));
    expect(driver.calls.at(-1)).toEqual({ method: 'getXml', args: ['net1', { inactive: true }] });
    const dnsHost = "<host ip='10.8.0.9'><hostname>h9</hostname></host>";
    expect(await c.update('net1', { command: 'add-first', section: 'dns-host', parentIndex: -1, xml: dnsHost, flags: { live: true } })).toEqual({
      live: true,
      config: false,
    });
    await c.setAutostart('net1', true);
    expect((await c.lookupByName('net1')).autostart).toBe(true);
    // A lease that expires in 2100 (the driver leaves expired ones out, as libvirt does).
    const lease = {
      iface: 'vb-net1',
      expiryTime: 4102444800,
      protocol: 'ipv4' as const,
      mac: '52:54:00:aa:bb:cc',
      ipAddress: '10.8.0.5',
      prefix: 24,
      hostname: 'g1',
    };
    t.runtime.setLeases({ name: 'net1', bridge: { name: 'vb-net1' } }, [lease, { ...lease, mac: '52:54:00:aa:bb:cd', ipAddress: '10.8.0.6' }]);
    expect(await c.leases('net1', '52:54:00:AA:BB:CC')).toEqual([lease]);
    await c.destroy('net1');
    await c.undefine('net1');
    expect(await c.list()).toEqual([]);
    const tr = await c.create(NET_XML('tr'));
    expect(tr).toMatchObject({ active: true, persistent: false });
  });

  it('carries port forwards: add with flags and a version, list, remove by port, protocol and address', async () => {
    const c = await open();
    // Port forwards need a NAT network.
    await c.define(natXml('net1', '10.8.0'));
    const f = { proto: 'udp' as const, address: '192.0.2.7', port: '5000-5001', to: 'web', toPort: '6000-6001' };
    const version = await c.versionOf('net1');
    expect(await c.addForward('net1', f, { config: true }, { ifMatch: version })).toEqual({ live: false, config: true });
    expect(driver.calls.at(-1)).toEqual({ method: 'addForward', args: ['net1', f, { config: true }, { ifMatch: version }] });
    expect(await c.listForwards('net1', { inactive: true })).toEqual([f]);
    expect(driver.calls.at(-1)).toEqual({ method: 'listForwards', args: ['net1', { inactive: true }] });
    // Running, from the saved definition: the forward is in both.
    await c.start('net1');
    await c.removeForward('net1', { port: '5000-5001', proto: 'udp', address: '192.0.2.7' }, { live: true, config: true });
    expect(driver.calls.at(-1)).toEqual({
      method: 'removeForward',
      args: ['net1', { port: '5000-5001', proto: 'udp', address: '192.0.2.7' }, { live: true, config: true }, {}],
    });
    expect(await c.listForwards('net1')).toEqual([]);
    // The request is checked against the schema before the driver sees it.
    expect((await rejectionOf(c.addForward('net1', { ...f, port: 'eighty' }, {}))).message).toContain('port');
  });

  it('encodes names with spaces, slashes of percent signs and unicode', async () => {
    const c = await open();
    const name = 'my net %2F ü?#&';
    await c.define(isolatedXml(escapeXmlText(name)));
    expect((await c.lookupByName(name)).name).toBe(name);
    await c.start(name);
    expect(driver.calls.at(-1)).toEqual({ method: 'start', args: [name, {}] });
  });

  it('reuses one connection for a sequence of calls', async () => {
    const c = await open();
    const seen = new Set<unknown>();
    api.servers[0]?.server.on('connection', (s) => seen.add(s));
    for (let i = 0; i < 20; i++) await c.list();
    expect(seen.size).toBeLessThanOrEqual(1);
  });
});

describe('errors', () => {
  it("rethrows the daemon's VirError with the same class and detail", async () => {
    const c = await open();
    const e1 = await rejectionOf(c.lookupByName('nope'));
    expect([e1.errorClass, e1.detail, e1.message]).toEqual([
      'NO_NETWORK',
      "no network with matching name 'nope'",
      "Network not found: no network with matching name 'nope'",
    ]);
    await c.define(NET_XML('x'));
    await c.start('x');
    const e2 = await rejectionOf(c.start('x'));
    expect(e2.message).toBe('Requested operation is not valid: network is already active');
    const e3 = await rejectionOf(c.define('<domain/>'));
    expect([e3.errorClass, e3.message]).toEqual(['XML_ERROR', "XML error: expecting root element of 'network', not 'domain'"]);
  });

  it("reports an absent daemon with libvirt's text", async () => {
    const missing = join(dir, 'nowhere', 'virtnetd.sock');
    const e = await rejectionOf(connect({ uri: `unix://${missing}` }));
    expect(e.errorClass).toBe('SYSTEM_ERROR');
    expect(e.message).toBe(`Failed to connect socket to '${missing}': No such file or directory`);
  });

  it('reports a stale socket file (a daemon that died) as connection refused', async () => {
    const stale = join(dir, 'stale.sock');
    // A process that binds the socket and is killed leaves the file behind, as a crashed daemon does.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(existsSync(stale)).toBe(true);
    const e = await rejectionOf(connect({ uri: `unix://${stale}` }));
    expect(e.message).toBe(`Failed to connect socket to '${stale}': Connection refused`);
  });

  it('reports a refused TCP port as virsh does', async () => {
    const e = await rejectionOf(connect({ uri: 'http://127.0.0.1:1', token }));
    expect(e.message).toBe("unable to connect to server at '127.0.0.1:1': Connection refused");
  });

  it('fails calls made after the daemon went away', async () => {
    const c = await open();
    await c.list();
    await Promise.all(api.servers.map((s) => s.close()));
    const e = await rejectionOf(c.list());
    expect(e.message).toBe(`Failed to connect socket to '${sock}': No such file or directory`);
  });

  it("refuses URIs virsh would not connect to, with virsh's text", async () => {
    expect((await rejectionOf(connect({ uri: 'foo:///bar' }))).message).toBe('no connection driver available for foo:///bar');
    expect((await rejectionOf(connect({ uri: 'relative/path' }))).message).toBe(
      "no connection driver available for URI 'relative/path' does not include a driver name",
    );
  });
});

describe('read-only and TCP', () => {
  it('uses the read-only socket beside the chosen one', async () => {
    await t.driver.define(NET_XML('a'));
    const c = await open(`unix://${sock}`, { readonly: true });
    expect((await c.list()).length).toBe(1);
    expect((await c.version()).readonly).toBe(true);
    const e = await rejectionOf(c.start('a'));
    expect([e.errorClass, e.message]).toEqual(['OPERATION_DENIED', 'operation forbidden: read only access prevents virNetworkCreate']);
    expect((await t.driver.lookupByName('a')).active).toBe(false);
  });

  it('connects over TCP with the token', async () => {
    const c = await open(`http://127.0.0.1:${api.tcpPort}`, { token });
    await c.define(NET_XML('t'));
    expect((await c.list()).map((n) => n.name)).toEqual(['t']);
  });

  it('fails to connect over TCP without the token or with a wrong one', async () => {
    const e1 = await rejectionOf(connect({ uri: `http://127.0.0.1:${api.tcpPort}` }));
    expect(e1.errorClass).toBe('AUTH_FAILED');
    expect(e1.message).toMatch(/^authentication failed: virtnetd requires its token/);
    const e2 = await rejectionOf(connect({ uri: `http://127.0.0.1:${api.tcpPort}`, token: 'b2'.repeat(32) }));
    expect(e2.detail).toBe('the token does not match the one virtnetd wrote to its run directory (RUN/token)');
  });

  it('takes the token from $VIRTNET_TOKEN when none is given', async () => {
    process.env['VIRTNET_TOKEN'] = token;
    try {
      const c = await open(`http://127.0.0.1:${api.tcpPort}`);
      expect(await c.list()).toEqual([]);
    } finally {
      delete process.env['VIRTNET_TOKEN'];
    }
  });

  it('is read-only over TCP when asked', async () => {
    const c = await open(`http://127.0.0.1:${api.tcpPort}`, { token, readonly: true });
    const e = await rejectionOf(c.define(NET_XML('x'), { validate: true }));
    expect(e.message).toBe('operation forbidden: read only access prevents virNetworkDefineXMLFlags');
  });
});

describe('subscribe over server-sent events', () => {
  it('delivers lifecycle and lease events in order, then stops after unsubscribe', async () => {
    const c = await open();
    const got: DriverEvent[] = [];
    const off = c.subscribe((e) => got.push(e));
    await c.eventsReady();
    const { uuid } = await c.define(NET_XML('ev'));
    await c.start('ev');
    const lease: DriverEvent = {
      kind: 'lease',
      action: 'add',
      network: { name: 'ev', uuid },
      lease: { iface: 'vb-ev', expiryTime: 0, protocol: 'ipv6', mac: '52:54:00:00:00:09', ipAddress: 'fd00::9', prefix: 64, iaid: '7' },
      time: 5,
    };
    // dnsmasq hands a lease out: the driver's lease watch sees its file change.
    t.runtime.setLeases({ name: 'ev', bridge: { name: 'vb-ev' } }, [lease.lease]);
    await until(() => got.length === 3);
    await c.destroy('ev');
    await until(() => got.length === 4);
    expect(got.map((e) => (e.kind === 'lease' ? e.action : e.kind === 'autostart' ? e.autostart : e.kind === 'health' ? e.state : e.event))).toEqual([
      'Defined',
      'Started',
      'add',
      'Stopped',
    ]);
    expect(got[2]).toEqual(lease);
    expect(got[0]).toMatchObject({ kind: 'lifecycle', detail: 0, network: { name: 'ev' } });
    off();
    await until(() => driver.subscribers === 0);
    // A listener subscribed later hears the next event; the one that left does not.
    const later: DriverEvent[] = [];
    const offLater = c.subscribe((e) => later.push(e));
    await c.eventsReady();
    await c.start('ev');
    await until(() => later.length === 1);
    expect(got.length).toBe(4);
    offLater();
  });

  it('shares one stream between listeners', async () => {
    const c = await open();
    const a: string[] = [];
    const b: string[] = [];
    const offA = c.subscribe((e) => a.push(e.kind));
    const offB = c.subscribe((e) => b.push(e.kind));
    await c.eventsReady();
    expect(driver.subscribers).toBe(1);
    await c.define(NET_XML('s'));
    await until(() => a.length === 1 && b.length === 1);
    offA();
    await c.undefine('s');
    await until(() => b.length === 2);
    expect(a).toEqual(['lifecycle']);
    offB();
  });

  it('serves events on the read-only socket', async () => {
    const c = await open(`unix://${sock}`, { readonly: true });
    const got: DriverEvent[] = [];
    c.subscribe((e) => got.push(e));
    await c.eventsReady();
    await t.driver.define(NET_XML('r'));
    await until(() => got.length === 1);
  });

  it('ends the streams when the daemon closes', async () => {
    const c = await open();
    c.subscribe(() => undefined);
    await c.eventsReady();
    expect(driver.subscribers).toBe(1);
    await api.servers[0]?.close();
    expect(driver.subscribers).toBe(0);
  });
});

function until(cond: () => boolean, ms = 2000): Promise<void> {
  return pollUntil(cond, { ms, everyMs: 5 });
}
