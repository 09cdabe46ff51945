/**
 * Issue 10 point 2 on the real kernel: networks and guests whose names are
 * awkward as file names or on a line of dnsmasq's conf (hidden, `..`,
 * whitespace, `#`, quotes, 250+ bytes) start with their own dnsmasq (no
 * 10 s wait for a pid file dnsmasq wrote elsewhere), survive a driver
 * restart (adopted: same dnsmasq), stay manageable, and leave nothing
 * behind: no bridge, process, nftables table or guest namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { escapeXml } from '../../src/xml/escape.js';
import { natXml } from '../support/network-testkit.js';
import { guestXml } from '../support/guest-testkit.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, workloadPids } from './netns.js';
import { guestNamespaces, openWorld, sweep, type GuestWorld } from './guest-fixture.js';

const root = canUseNetns();

const NAMES = ['.hidden', '..', 'tab\there', 'hash #here', 'quo"te', 'sp ace', `long${'x'.repeat(250)}`];

const bridges = (ns: string): string[] =>
  inNetns(ns, 'ip', ['-o', 'link', 'show', 'type', 'bridge'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(': ')[1]!.split('@')[0]!);

const nftTable = (ns: string): string => inNetns(ns, 'nft', ['list', 'tables']);

describe.skipIf(!root)('awkward names on the real kernel', () => {
  let ns: string;
  let world: GuestWorld | undefined;

  beforeAll(async () => {
    ns = createNetns('names');
    world = await openWorld(ns, 'names');
  });
  afterAll(async () => {
    await world?.close().catch(() => {});
    sweep(world, ns);
    if (ns) deleteNetns(ns);
  });

  it('networks start with their own dnsmasq, are adopted after a restart and leave nothing', async () => {
    const w = world!;
    for (const [i, name] of NAMES.entries()) await w.networks.define(natXml(escapeXml(name), `10.61.${i}`));
    for (const name of NAMES) await w.networks.start(name);
    const pids = workloadPids(ns).sort();
    expect(pids).toHaveLength(NAMES.length);
    // Each network's pid file names its own dnsmasq.
    for (const file of (await w.networks.list()).map((n) => n.name)) {
      const info = await w.networks.lookupByName(file);
      expect(info.active).toBe(true);
    }
    const status = readFileSync(w.networks.store.statusPath('hash #here'), 'utf8');
    const pidFile = /&quot;pidFile&quot;:&quot;([^&]+)&quot;/.exec(status)![1]!;
    expect(pids).toContain(Number(readFileSync(pidFile, 'utf8').trim()));

    await w.restart();
    expect(w.networks.startupReport?.problems).toEqual([]);
    expect(w.networks.startupReport?.adopted).toHaveLength(NAMES.length);
    expect(workloadPids(ns).sort()).toEqual(pids);

    for (const name of NAMES) {
      await w.networks.destroy(name);
      await w.networks.start(name);
      await w.networks.destroy(name);
      await w.networks.undefine(name);
    }
    expect(await w.networks.list()).toEqual([]);
    expect(bridges(ns)).toEqual([]);
    expect(workloadPids(ns)).toEqual([]);
    expect(nftTable(ns)).toBe('');
  });

  it('netns guests run, are adopted after a restart and leave no namespace', async () => {
    const w = world!;
    await w.networks.define(natXml('gnet', '10.62.1'));
    await w.networks.start('gnet');
    const guests = ['.ghost', 'hash #g', `g${'y'.repeat(250)}`];
    for (const g of guests) {
      await w.guests.guestDefine(guestXml(escapeXml(g), { nics: ['network:gnet'] }));
      await w.guests.guestStart(g);
    }
    expect(guestNamespaces(ns)).toHaveLength(guests.length);
    await w.restart();
    expect(w.guests.startupReport?.problems).toEqual([]);
    expect(w.guests.startupReport?.adopted).toHaveLength(guests.length);
    for (const g of guests) {
      const r = await w.guests.guestExec(g, ['ip', '-o', 'link', 'show', 'eth0']);
      expect(r.exitCode).toBe(0);
      await w.guests.guestDestroy(g);
      await w.guests.guestUndefine(g);
    }
    expect(guestNamespaces(ns)).toEqual([]);
    await w.networks.destroy('gnet');
    await w.networks.undefine('gnet');
    expect(workloadPids(ns)).toEqual([]);
  });
});
