/**
 * The network driver in-process over the real Linux runtime, in a test
 * namespace: many networks started and destroyed in parallel, one network's
 * operations serialized, an overlapping subnet refused with libvirt's text
 * (and of two overlapping networks started at once, one comes up),
 * and a network whose bridge vanished while no driver ran.
 */
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetworkDriver, type NetworkDriver } from '../../src/driver/network/index.js';
import { createLinuxRuntime, type LinuxRuntime } from '../../src/driver/runtime/index.js';
import { virtnetPaths, type VirtnetPaths } from '../../src/driver/common/paths.js';
import { natXml, isolatedXml } from '../support/network-testkit.js';
import type { VirError } from '../../src/util/errors.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, netnsPids, workloadPids } from './netns.js';

const root = canUseNetns();

const bridges = (ns: string): string[] =>
  inNetns(ns, 'ip', ['-o', 'link', 'show', 'type', 'bridge'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(': ')[1]!.split('@')[0]!)
    .sort();

describe.skipIf(!root)('network driver on the real kernel: lifecycle', () => {
  let ns: string;
  let dir: string;
  let paths: VirtnetPaths;
  let runtime: LinuxRuntime;
  let driver: NetworkDriver;

  beforeAll(async () => {
    ns = createNetns('drl');
    dir = mkdtempSync(join(tmpdir(), 'vnt-drl-'));
    paths = virtnetPaths(dir);
    runtime = await createLinuxRuntime({ netns: ns, paths, firewallLingerMs: 0 });
    driver = await createNetworkDriver({ paths, runtime });
  });
  afterAll(async () => {
    await driver?.close();
    runtime?.close();
    if (ns) deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts and destroys 16 NAT networks with DHCP in parallel, leaving nothing', async () => {
    const names = Array.from({ length: 16 }, (_, i) => `par${i}`);
    await Promise.all(names.map((n, i) => driver.define(natXml(n, `10.88.${i}`))));
    await Promise.all(names.map((n) => driver.start(n)));
    const active = await driver.list({ active: true });
    expect(active.map((n) => n.name).sort()).toEqual([...names].sort());
    expect(new Set(active.map((n) => n.bridge)).size).toBe(16);
    expect(bridges(ns)).toHaveLength(16);
    expect(workloadPids(ns)).toHaveLength(16); // one dnsmasq each (and the runtime's nft monitor)

    await Promise.all(names.map((n) => driver.destroy(n)));
    await Promise.all(names.map((n) => driver.undefine(n)));
    expect(bridges(ns)).toEqual([]);
    expect(inNetns(ns, 'nft', ['list', 'tables'])).not.toContain('virtnet');
    expect(workloadPids(ns)).toEqual([]);
    expect(readdirSync(paths.networkStatusDir).filter((f) => f !== 'autostarted')).toEqual([]);
  }, 120_000);

  it('two starts of one network: one succeeds, the other gets "network is already active"', async () => {
    await driver.define(natXml('twice', '10.89.1'));
    const results = await Promise.allSettled([driver.start('twice'), driver.start('twice')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect((rejected.reason as VirError).message).toBe('Requested operation is not valid: network is already active');
    expect(bridges(ns)).toEqual(['virbr0']);
    await driver.destroy('twice');
    await driver.undefine('twice');
  }, 60_000);

  it("refuses an overlapping subnet with libvirt's text and leaves nothing of the refused network", async () => {
    await driver.define(natXml('first', '10.90.1'));
    await driver.define(isolatedXml('second', { subnet: '10.90.1' }));
    await driver.start('first');
    const e = await driver.start('second').then(
      () => undefined,
      (err: unknown) => err as VirError,
    );
    expect(e?.message).toBe('internal error: Network is already in use by interface virbr0');
    expect(await driver.lookupByName('second')).toMatchObject({ active: false });
    expect(bridges(ns)).toEqual(['virbr0']);
    await driver.destroy('first');
    // started at the same time, exactly one of the two comes up
    const both = await Promise.allSettled([driver.start('first'), driver.start('second')]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await driver.list({ active: true })).length).toBe(1);
    expect(bridges(ns)).toHaveLength(1);
    for (const n of (await driver.list({ active: true })).map((x) => x.name)) await driver.destroy(n);
    for (const n of ['first', 'second']) await driver.undefine(n);
  }, 60_000);

  it('after a restart, a network whose bridge vanished is inactive and its dnsmasq gone', async () => {
    await driver.define(natXml('gone', '10.91.1'));
    await driver.start('gone');
    const pid = workloadPids(ns)[0]!; // its dnsmasq
    await driver.close();
    inNetns(ns, 'ip', ['link', 'del', 'virbr0']);

    driver = await createNetworkDriver({ paths, runtime });
    expect(driver.startupReport).toMatchObject({ vanished: ['gone'], adopted: [] });
    expect(await driver.lookupByName('gone')).toMatchObject({ active: false, persistent: true });
    expect(netnsPids(ns)).not.toContain(pid);
    expect(existsSync(join(paths.networkStatusDir, 'gone.xml'))).toBe(false);
    await driver.start('gone');
    expect(bridges(ns)).toEqual(['virbr0']);
    await driver.destroy('gone');
    await driver.undefine('gone');
    expect(workloadPids(ns)).toEqual([]);
  }, 60_000);
});
