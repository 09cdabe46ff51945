/**
 * Traffic, seen through the guest driver over the fake backend: domifstat's
 * counters as the guest sees them (a tap-like vNIC's rx and tx swapped, a
 * macvtap's as they are), by target or MAC, libvirt's errors, and a
 * network's traffic (its bridge as the host sees it, each vNIC, their sum).
 * The kernel's own counters moving under real pings: test/e2e/traffic.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { natXml } from '../support/network-testkit.js';
import { guestXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { rejectionOf } from './support/vir-error.js';

let t: GuestTestDriver;
beforeEach(async () => {
  t = await startGuestTestDriver();
  t.net.kernel.links.add('eth8');
});
afterEach(async () => {
  await t.dispose();
});

const counters = (rx: number, tx: number) => ({
  rx: { bytes: rx, packets: rx / 100, errors: 0, dropped: 1 },
  tx: { bytes: tx, packets: tx / 100, errors: 2, dropped: 0 },
});

describe('domifstat and network traffic', () => {
  beforeEach(async () => {
    await t.driver.define(natXml('nat', '10.20.0'));
    await t.driver.start('nat');
    await t.driver.guestDefine(guestXml('a', { nics: ['network:nat@52:54:00:aa:00:01'] }));
    await t.driver.guestDefine(guestXml('b', { nics: ['network:nat@52:54:00:aa:00:02'] }));
    await t.driver.guestStart('a');
    await t.driver.guestStart('b');
    // What the host sees on each vNIC's host side, and on the bridge.
    t.backend.counters.set('vnet0', counters(1000, 5000));
    t.backend.counters.set('vnet1', counters(300, 700));
    t.backend.counters.set('virbr0', counters(200, 100));
  });

  it('shows a vNIC as the guest sees it: what the host side sent, the guest received; by target or MAC', async () => {
    const byTarget = await t.driver.guestInterfaceStats('a', 'vnet0');
    expect(byTarget).toEqual({ device: 'vnet0', rx: counters(1000, 5000).tx, tx: counters(1000, 5000).rx });
    expect(await t.driver.guestInterfaceStats('a', '52:54:00:AA:00:01')).toEqual(byTarget);
  });

  it('a macvtap-like vNIC (a direct plug) shares the host view: its counters are not swapped', async () => {
    await t.driver.define("<network>\n  <name>direct</name>\n  <forward mode='vepa'>\n    <interface dev='eth8'/>\n  </forward>\n</network>\n");
    await t.driver.start('direct');
    await t.driver.guestDefine(guestXml('c', { nics: ['network:direct'] }));
    await t.driver.guestStart('c');
    t.backend.counters.set('macvlan0', counters(400, 800));
    expect(await t.driver.guestInterfaceStats('c', 'macvlan0')).toEqual({ device: 'macvlan0', ...counters(400, 800) });
  });

  it("refuses an interface the guest does not have, and a guest that is not running, with libvirt's errors", async () => {
    expect(await rejectionOf(t.driver.guestInterfaceStats('a', 'vnet1'))).toMatchObject({
      errorClass: 'INVALID_ARG',
      message: "invalid argument: 'vnet1' is not a known interface",
    });
    await t.driver.guestDestroy('b');
    expect(await rejectionOf(t.driver.guestInterfaceStats('b', 'vnet1'))).toMatchObject({
      message: 'Requested operation is not valid: domain is not running',
    });
  });

  it("a network's traffic: the bridge as the host sees it, each guest's vNIC as the guest sees it, and their sum", async () => {
    const traffic = await t.driver.networkTraffic('nat');
    expect(traffic).toMatchObject({ network: 'nat', bridge: 'virbr0', host: counters(200, 100) });
    expect(traffic.vnics.map((v) => [v.guest, v.device, v.mac, v.rx.bytes, v.tx.bytes])).toEqual([
      ['a', 'vnet0', '52:54:00:aa:00:01', 5000, 1000],
      ['b', 'vnet1', '52:54:00:aa:00:02', 700, 300],
    ]);
    expect(traffic.guests).toEqual({
      rx: { bytes: 5700, packets: 57, errors: 4, dropped: 0 },
      tx: { bytes: 1300, packets: 13, errors: 0, dropped: 2 },
    });
    expect(typeof traffic.time).toBe('number');
    await t.driver.destroy('nat', { force: true });
    expect(await rejectionOf(t.driver.networkTraffic('nat'))).toMatchObject({ message: 'Requested operation is not valid: network is not active' });
  });
});
