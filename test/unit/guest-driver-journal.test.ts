/**
 * Issue 10 point 3 in the guest driver (fake backend): a guest start or a
 * live attach "killed" halfway (the backend never returns after making
 * something) leaves its record as a journal entry, and the next driver
 * removes what it names: no namespace or device that no guest explains.
 * A kill between a guest's record and its status file (written one after
 * the other) is settled from the two: an attach undone, a detach finished.
 * A detach killed before its record is undone by adoption (the vNIC is made
 * again).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { startTestDriver } from '../support/network-testkit.js';
import { guestXml, interfaceXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { pollUntil } from '../support/poll.js';
import type { FakeGuestOp } from '../support/fake-guest-backend.js';

const open: GuestTestDriver[] = [];
const roots: string[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) {
    await t.guests.close();
    await t.net.driver.close();
  }
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function first(): Promise<GuestTestDriver> {
  const t = await startGuestTestDriver();
  open.push(t);
  roots.push(t.net.root);
  await t.net.driver.define(`<network><name>n</name><forward mode='nat'/><ip address='10.81.1.1' netmask='255.255.255.0'/></network>`);
  await t.net.driver.start('n');
  return t;
}

/** Run `op` and "kill" the process after the `nth` call of `at` has changed the host: it never returns. */
async function killDuring(t: GuestTestDriver, at: FakeGuestOp, op: () => Promise<unknown>, nth = 1): Promise<void> {
  let seen = 0;
  t.backend.afterHostChange = (o) => (o === at && ++seen === nth ? new Promise(() => {}) : Promise.resolve());
  open.splice(open.indexOf(t), 1);
  void op().catch(() => {});
  await pollUntil(() => seen >= nth, { ms: 5000, everyMs: 2, what: `${at} to change the host` });
}

/** New drivers over the same root, kernel and backend state, while the old ones hang (as after SIGKILL). */
async function afterCrash(t: GuestTestDriver): Promise<GuestTestDriver> {
  t.backend.afterHostChange = undefined;
  const net = await startTestDriver({}, { root: t.net.root, kernel: t.net.kernel });
  const next = await startGuestTestDriver({}, { net, backend: t.backend });
  open.push(next);
  return next;
}

/**
 * Run `op` on running guest `name`, then put back the status file it had before, as if killed between
 * writing the record and the status file; then new drivers (afterCrash).
 */
async function crashBeforeStatus(t: GuestTestDriver, name: string, op: () => Promise<unknown>): Promise<GuestTestDriver> {
  const status = readFileSync(t.guests.store.statusPath(name), 'utf8');
  await op();
  writeFileSync(t.guests.store.statusPath(name), status);
  return afterCrash(t);
}

describe('a crash halfway through', () => {
  it('guest start, after its namespace: the namespace is removed, the guest can start', async () => {
    const t = await first();
    await t.guests.guestDefine(guestXml('g', { nics: ['network:n', 'network:n'] }));
    await killDuring(t, 'createGuest', () => t.guests.guestStart('g'));
    expect(existsSync(t.guests.store.recordPath('g'))).toBe(true);
    expect(t.backend.namespaces.size).toBe(1);
    const t2 = await afterCrash(t);
    expect(t2.guests.startupReport).toMatchObject({ recovered: ['g: start undone'], problems: [] });
    expect(t2.backend.namespaces.size).toBe(0);
    expect(existsSync(t2.guests.store.recordPath('g'))).toBe(false);
    expect((await t2.guests.guestLookupByName('g')).active).toBe(false);
    await t2.guests.guestStart('g');
  });

  it('guest start, after its second vNIC: every device is removed', async () => {
    const t = await first();
    await t.guests.guestDefine(guestXml('tg', { type: 'tap', nics: ['network:n', 'network:n'] }));
    await killDuring(t, 'plug', () => t.guests.guestStart('tg'), 2);
    expect(t.backend.devices.size).toBe(2);
    const t2 = await afterCrash(t);
    expect(t2.guests.startupReport?.recovered).toEqual(['tg: start undone']);
    expect(t2.backend.devices.size).toBe(0);
    expect([...t2.net.kernel.links]).toEqual(['virbr0']);
    await t2.guests.guestStart('tg');
    expect(t2.backend.devices.size).toBe(2);
  });

  it('live attach: the new vNIC is removed, the guest runs as before', async () => {
    const t = await first();
    await t.guests.guestDefine(guestXml('a', { type: 'tap', nics: ['network:n'] }));
    await t.guests.guestStart('a');
    const before = await t.guests.guestGetXml('a');
    await killDuring(t, 'plug', () => t.guests.guestAttachDevice('a', interfaceXml('network', 'n'), { live: true }));
    expect(t.backend.devices.size).toBe(2);
    const t2 = await afterCrash(t);
    expect(t2.guests.startupReport).toMatchObject({ recovered: ['a: attach undone'], adopted: ['a'] });
    expect([...t2.backend.devices.keys()]).toEqual(['vnet0']);
    expect(await t2.guests.guestGetXml('a')).toBe(before);
    await t2.guests.guestAttachDevice('a', interfaceXml('network', 'n'), { live: true });
  });

  it('live attach, between the record and the status file: the vNIC the definition does not list is removed', async () => {
    const t = await first();
    await t.guests.guestDefine(guestXml('w', { type: 'tap', nics: ['network:n'] }));
    await t.guests.guestStart('w');
    const before = await t.guests.guestGetXml('w');
    // The record says two vNICs, the status file still one: as if killed between the two writes.
    const t2 = await crashBeforeStatus(t, 'w', () => t.guests.guestAttachDevice('w', interfaceXml('network', 'n'), { live: true }));
    expect(t2.guests.startupReport?.recovered).toEqual(['w: attach undone']);
    expect([...t2.backend.devices.keys()]).toEqual(['vnet0']);
    expect(await t2.guests.guestGetXml('w')).toBe(before);
  });

  it('live detach, between the record and the status file: the interface leaves the definition too', async () => {
    const t = await first();
    await t.guests.guestDefine(guestXml('d', { type: 'tap', nics: ['network:n'] }));
    await t.guests.guestStart('d');
    await t.guests.guestAttachDevice('d', interfaceXml('network', 'n', { mac: '52:54:00:00:00:77' }), { live: true });
    let after = '';
    const t2 = await crashBeforeStatus(t, 'd', async () => {
      await t.guests.guestDetachDevice('d', interfaceXml('network', 'n', { mac: '52:54:00:00:00:77' }), { live: true });
      after = await t.guests.guestGetXml('d');
    });
    expect(t2.guests.startupReport?.recovered).toEqual(['d: detach finished']);
    expect([...t2.backend.devices.keys()]).toEqual(['vnet0']);
    expect(await t2.guests.guestGetXml('d')).toBe(after);
  });

  it('a start that fails removes its journal entry', async () => {
    const t = await first();
    await t.guests.guestDefine(guestXml('f', { nics: ['network:n'] }));
    t.backend.failNext('plug');
    await expect(t.guests.guestStart('f')).rejects.toThrow(/fake plug failure/);
    expect(existsSync(t.guests.store.recordPath('f'))).toBe(false);
    expect(t.backend.namespaces.size).toBe(0);
  });
});
