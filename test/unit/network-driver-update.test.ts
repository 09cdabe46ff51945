/**
 * net-update and leases through the driver (fake runtime): which defs
 * change, what is saved, what the runtime is asked, the Updated event, and
 * libvirt's texts for the refused cases; lease lookups and lease events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { natXml, isolatedXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import type { DhcpLease, LeaseEvent, UpdateRequest } from '../../src/contract/network-api.js';
import { VirError } from '../../src/util/errors.js';
import { rejectionOf } from './support/vir-error.js';
import { dhcpHostUpdate } from './support/update-request.js';

let t: TestDriver;
beforeEach(async () => {
  t = await startTestDriver();
  await t.driver.define(natXml('nat', '10.30.1'));
});
afterEach(async () => {
  await t.dispose();
});

const HOST = "<host mac='52:54:00:00:00:01' name='vm1' ip='10.30.1.10'/>";
const HOST_LINE = "<host mac='52:54:00:00:00:01' name='vm1' ip='10.30.1.10'/>";
const addHost = (flags: UpdateRequest['flags']): UpdateRequest => dhcpHostUpdate(HOST, flags);

const configFile = (): string => readFileSync(join(t.paths.networkConfigDir, 'nat.xml'), 'utf8');
const statusFile = (): string => readFileSync(join(t.paths.networkStatusDir, 'nat.xml'), 'utf8');

describe('update', () => {
  it('current on a running network changes the live def only, through the runtime', async () => {
    await t.driver.start('nat');
    const result = await t.driver.update('nat', addHost({}));
    expect(result).toEqual({ live: true, config: false });
    expect(await t.driver.getXml('nat')).toContain(HOST_LINE);
    expect(await t.driver.getXml('nat', { inactive: true })).not.toContain(HOST_LINE);
    expect(configFile()).not.toContain(HOST_LINE);
    expect(statusFile()).toContain(HOST_LINE);
    expect(statusFile()).toContain('&quot;generation&quot;:2');
    expect(t.runtime.calls.filter((c) => c.op === 'updateLive')).toEqual([{ op: 'updateLive', network: 'nat', detail: 'ip-dhcp-host' }]);
    expect(t.lifecycle()).toEqual(['nat:Defined', 'nat:Started', 'nat:Updated']);
    // the live change ends with the run
    await t.driver.destroy('nat');
    expect(await t.driver.getXml('nat')).not.toContain(HOST_LINE);
  });

  it('config on a running network changes and saves the persistent def only', async () => {
    await t.driver.start('nat');
    expect(await t.driver.update('nat', addHost({ config: true }))).toEqual({ live: false, config: true });
    expect(await t.driver.getXml('nat')).not.toContain(HOST_LINE);
    expect(await t.driver.getXml('nat', { inactive: true })).toContain(HOST_LINE);
    expect(configFile()).toContain(HOST_LINE);
    expect(t.runtime.callsOf('updateLive')).toEqual([]);
    await t.driver.destroy('nat');
    expect(await t.driver.getXml('nat')).toContain(HOST_LINE);
  });

  it('live and config together change both', async () => {
    await t.driver.start('nat');
    expect(await t.driver.update('nat', addHost({ live: true, config: true }))).toEqual({ live: true, config: true });
    expect(await t.driver.getXml('nat')).toContain(HOST_LINE);
    expect(await t.driver.getXml('nat', { inactive: true })).toContain(HOST_LINE);
    expect(configFile()).toContain(HOST_LINE);
  });

  it('current on a stopped network changes the config', async () => {
    expect(await t.driver.update('nat', addHost({}))).toEqual({ live: false, config: true });
    expect(configFile()).toContain(HOST_LINE);
    expect(await t.driver.getXml('nat')).toContain(HOST_LINE);
    expect(await t.driver.getXml('nat', { inactive: true })).toContain(HOST_LINE);
    // and a second update builds on the first
    await t.driver.update('nat', { ...addHost({}), xml: "<host mac='52:54:00:00:00:02' name='vm2' ip='10.30.1.11'/>" });
    expect(await t.driver.getXml('nat', { inactive: true })).toContain(HOST_LINE);
    expect(await t.driver.getXml('nat', { inactive: true })).toContain("name='vm2'");
    await t.driver.start('nat');
    expect(await t.driver.getXml('nat')).toContain("name='vm2'");
  });

  it("refuses live on a stopped network and config on a transient one, with libvirt's texts", async () => {
    const e = await rejectionOf(t.driver.update('nat', addHost({ live: true })));
    expect(e.message).toBe('Requested operation is not valid: network is not running');
    await t.driver.create(isolatedXml('tr', { subnet: '10.30.2' }));
    const e2 = await rejectionOf(t.driver.update('tr', { ...addHost({ config: true }), xml: "<host mac='52:54:00:00:00:02' ip='10.30.2.9'/>" }));
    expect(e2.message).toBe('Requested operation is not valid: cannot change persistent config of a transient network');
    expect(t.lifecycle()).not.toContain('nat:Updated');
  });

  it("passes on the pure update's errors and changes nothing", async () => {
    await t.driver.start('nat');
    const e = await rejectionOf(
      t.driver.update('nat', {
        command: 'add',
        section: 'bridge',
        parentIndex: -1,
        xml: "<bridge name='x'/>",
        flags: {},
      } as unknown as UpdateRequest),
    );
    expect(e.message).toBe("Operation not supported: can't update 'bridge' section of network 'nat'");
    const e2 = await rejectionOf(t.driver.update('nat', { ...addHost({}), section: 'nonsense' as UpdateRequest['section'] }));
    expect(e2.message).toBe("unrecognized section name 'nonsense'");
    const e3 = await rejectionOf(t.driver.update('nat', { ...addHost({}), xml: "<range start='1.2.3.4' end='1.2.3.5'/>" }));
    expect(e3.message).toBe("XML error: unexpected element <range>, expecting <host>, while updating network 'nat'");
    expect(t.runtime.callsOf('updateLive')).toEqual([]);
  });

  it('if the runtime fails, neither def changes', async () => {
    await t.driver.start('nat');
    t.runtime.failNext('updateLive', new VirError('INTERNAL_ERROR', 'dnsmasq said no'));
    const e = await rejectionOf(t.driver.update('nat', addHost({ live: true, config: true })));
    expect(e.message).toBe('internal error: dnsmasq said no');
    expect(await t.driver.getXml('nat')).not.toContain(HOST_LINE);
    expect(await t.driver.getXml('nat', { inactive: true })).not.toContain(HOST_LINE);
    expect(configFile()).not.toContain(HOST_LINE);
  });
});

const lease = (mac: string, ip: string, more: Partial<DhcpLease> = {}): DhcpLease => ({
  iface: 'virbr0',
  expiryTime: Math.floor(Date.now() / 1000) + 3600,
  protocol: 'ipv4',
  mac,
  ipAddress: ip,
  prefix: 24,
  ...more,
});

describe('leases', () => {
  it('checks the MAC first, and an inactive network has none', async () => {
    const e = await rejectionOf(t.driver.leases('nat', 'zz'));
    expect(e.message).toBe('invalid MAC address: zz');
    expect(e.errorClass).toBe('INVALID_MAC');
    expect(await t.driver.leases('nat')).toEqual([]);
    expect((await rejectionOf(t.driver.leases('nope'))).errorClass).toBe('NO_NETWORK');
  });

  it('returns the runtime leases without expired ones, filtered by MAC in any case', async () => {
    await t.driver.start('nat');
    const def = { name: 'nat', bridge: { name: 'virbr0' } };
    const a = lease('52:54:00:aa:00:01', '10.30.1.20', { hostname: 'a' });
    const b = lease('52:54:00:aa:00:02', '10.30.1.21');
    const old = lease('52:54:00:aa:00:03', '10.30.1.22', { expiryTime: 1000 });
    const forever = lease('52:54:00:aa:00:04', '10.30.1.23', { expiryTime: 0 });
    t.runtime.setLeases(def, [a, b, old, forever]);
    expect(await t.driver.leases('nat')).toEqual([a, b, forever]);
    expect(await t.driver.leases('nat', '52:54:00:AA:00:02')).toEqual([b]);
    expect(await t.driver.leases('nat', '52:54:0:aa:0:1')).toEqual([a]);
  });

  it('emits add, old and del lease events when the lease file changes', async () => {
    await t.driver.start('nat');
    const def = { name: 'nat', bridge: { name: 'virbr0' } };
    const leaseEvents = (): string[] =>
      t.events
        .filter((e): e is LeaseEvent => e.kind === 'lease')
        .map((e) => `${e.network.name}:${e.action}:${e.lease.mac}:${e.lease.hostname ?? '-'}`);
    const a = lease('52:54:00:aa:00:01', '10.30.1.20');
    // One object for the second lease: made twice, a second boundary between the two would change its
    // expiry, which the driver rightly reports as a renewal ('old').
    const b = lease('52:54:00:aa:00:02', '10.30.1.21');
    t.runtime.setLeases(def, [a]);
    await leaseEventsReach(1);
    expect(leaseEvents()).toEqual(['nat:add:52:54:00:aa:00:01:-']);
    t.runtime.setLeases(def, [{ ...a, hostname: 'vm1', expiryTime: a.expiryTime + 60 }, b]);
    await leaseEventsReach(3);
    t.runtime.setLeases(def, [b]);
    await leaseEventsReach(4);
    expect(leaseEvents()).toEqual([
      'nat:add:52:54:00:aa:00:01:-',
      'nat:old:52:54:00:aa:00:01:vm1',
      'nat:add:52:54:00:aa:00:02:-',
      'nat:del:52:54:00:aa:00:01:vm1',
    ]);
    const ev = t.events.find((e) => e.kind === 'lease')!;
    expect(ev).toMatchObject({ kind: 'lease', network: { name: 'nat' }, lease: { ipAddress: '10.30.1.20', prefix: 24 } });
    // stopping the network says Stopped, not one del per lease
    await t.driver.destroy('nat');
    await t.driver.settleLeaseEvents();
    expect(leaseEvents()).toHaveLength(4);
  }, 60_000);
});

/** Resolves once the driver has sent `n` lease events in all (lease files reach it through inotify, in their own time). */
async function leaseEventsReach(n: number): Promise<void> {
  const count = (): number => t.events.filter((e) => e.kind === 'lease').length;
  if (count() >= n) return;
  await new Promise<void>((resolve) => {
    const off = t.driver.subscribe(() => {
      if (count() < n) return;
      off();
      resolve();
    });
  });
}
