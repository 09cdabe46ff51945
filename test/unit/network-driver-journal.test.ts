/**
 * Issue 10 point 3 in the network driver (fake runtime, shared fake
 * kernel): a start, create, destroy or live update "killed" halfway (the
 * runtime never returns after changing the kernel) leaves a journal entry in
 * the status file, and the next driver undoes the start, finishes the stop,
 * undoes the update: nothing left that no network explains, every network
 * startable again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { pollUntil } from '../support/poll.js';
import { createFakeRuntimeState, FakeRuntime, type FakeRuntimeOp } from '../support/fake-runtime.js';
import { dhcpHostUpdate } from './support/update-request.js';

/** Drivers to close; a "killed" one is never closed (its call never ends), its root goes at the end. */
const open: TestDriver[] = [];
const roots: string[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.driver.close();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function first(): Promise<TestDriver> {
  const t = await startTestDriver();
  open.push(t);
  roots.push(t.root);
  return t;
}

/** Run `op` on `t` and "kill" the process once `at` has changed the kernel: the call never returns. */
async function killDuring(t: TestDriver, at: FakeRuntimeOp, op: () => Promise<unknown>): Promise<void> {
  let reached = false;
  t.runtime.afterHostChange = (o) => {
    if (o !== at) return Promise.resolve();
    reached = true;
    return new Promise(() => {});
  };
  open.splice(open.indexOf(t), 1);
  void op().catch(() => {});
  await pollUntil(() => reached, { ms: 5000, everyMs: 2, what: `${at} to change the kernel` });
}

/** A new driver over the same root and kernel, while the old one hangs (as after SIGKILL). */
async function afterCrash(t: TestDriver): Promise<TestDriver> {
  const next = await startTestDriver({}, { root: t.root, kernel: t.kernel });
  open.push(next);
  return next;
}

describe('a crash halfway through', () => {
  it('start: the journal entry is written before the kernel changes, and the start is undone', async () => {
    const t = await first();
    await t.driver.define(natXml('n', '10.80.1'));
    await killDuring(t, 'start', () => t.driver.start('n'));
    const status = readFileSync(t.driver.store.statusPath('n'), 'utf8');
    expect(status).toContain("state='starting'");
    expect(t.kernel.links.has('virbr0')).toBe(true);

    const t2 = await afterCrash(t);
    expect(t2.driver.startupReport).toMatchObject({ recovered: ['n: start undone'], adopted: [], problems: [] });
    expect(await t2.driver.lookupByName('n')).toMatchObject({ active: false, persistent: true });
    expect(t2.kernel.links.size).toBe(0);
    expect(t2.kernel.dnsmasq.size).toBe(0);
    expect(existsSync(t2.driver.store.statusPath('n'))).toBe(false);
    await t2.driver.start('n');
    expect(t2.kernel.links.has('virbr0')).toBe(true);
  });

  it('the host went down: an empty status file (a write the crash cut short; status files are not synced) is removed, and the network is not running', async () => {
    const t = await first();
    await t.driver.define(natXml('hc', '10.80.9'));
    await t.driver.start('hc');
    await t.driver.destroy('hc');
    // What a power loss may leave of a status file written but not synced: the file, empty. The kernel's state is gone with the host.
    writeFileSync(t.driver.store.statusPath('hc'), '');
    const t2 = await startTestDriver({}, { root: t.root, kernel: createFakeRuntimeState() }); // a rebooted host's kernel: nothing of ours
    open.push(t2);
    expect(t2.driver.startupReport).toMatchObject({
      recovered: [`${t.driver.store.statusPath('hc')}: empty status file removed (the host went down while it was written)`],
      adopted: [],
      problems: [],
    });
    expect(existsSync(t2.driver.store.statusPath('hc'))).toBe(false);
    expect(await t2.driver.lookupByName('hc')).toMatchObject({ active: false, persistent: true });
    await t2.driver.start('hc');
    expect(await t2.driver.lookupByName('hc')).toMatchObject({ active: true });
  });

  it('create: the transient network is gone after the restart, with its files', async () => {
    const t = await first();
    await killDuring(t, 'start', () => t.driver.create(natXml('tr', '10.80.2')));
    const t2 = await afterCrash(t);
    expect(t2.driver.startupReport).toMatchObject({ recovered: ['tr: start undone'], dropped: ['tr'] });
    expect(await t2.driver.list()).toEqual([]);
    expect(t2.kernel.links.size).toBe(0);
    expect(t2.runtime.callsOf('cleanup')).toEqual(['tr']);
    await t2.driver.create(natXml('tr', '10.80.2'));
  });

  it("destroy: the status file is renamed to the stop's entry first, and the stop is finished", async () => {
    const t = await first();
    await t.driver.define(natXml('d', '10.80.3'));
    await t.driver.start('d');
    const status = readFileSync(t.driver.store.statusPath('d'), 'utf8');
    await killDuring(t, 'stop', () => t.driver.destroy('d'));
    expect(existsSync(t.driver.store.statusPath('d'))).toBe(false);
    expect(readFileSync(t.driver.store.stoppingPath('d'), 'utf8')).toBe(status);
    expect(t.kernel.dnsmasq.size).toBe(1);
    const t2 = await afterCrash(t);
    expect(t2.driver.startupReport).toMatchObject({ recovered: ['d: stop finished'], problems: [] });
    expect(await t2.driver.lookupByName('d')).toMatchObject({ active: false });
    expect(t2.kernel.links.size + t2.kernel.dnsmasq.size).toBe(0);
    expect(existsSync(t2.driver.store.stoppingPath('d'))).toBe(false);
    await t2.driver.start('d');
  });

  it("destroy of a network whose status file is gone: the stop's entry is written from its record", async () => {
    const t = await first();
    await t.driver.define(natXml('g', '10.80.6'));
    await t.driver.start('g');
    rmSync(t.driver.store.statusPath('g'));
    await killDuring(t, 'stop', () => t.driver.destroy('g'));
    expect(readFileSync(t.driver.store.stoppingPath('g'), 'utf8')).toContain('<name>g</name>');
    const t2 = await afterCrash(t);
    expect(t2.driver.startupReport).toMatchObject({ recovered: ['g: stop finished'], problems: [] });
    expect(t2.kernel.links.size + t2.kernel.dnsmasq.size).toBe(0);
  });

  it("a status file that says state='stopping' (an older virtnet's stop entry) is finished too", async () => {
    const t = await first();
    await t.driver.define(natXml('o', '10.80.7'));
    await t.driver.start('o');
    await t.driver.close();
    open.splice(open.indexOf(t), 1);
    const path = t.driver.store.statusPath('o');
    const older = readFileSync(path, 'utf8').replace(/<virtnet:applied(?=[ >])/, "<virtnet:applied state='stopping'");
    expect(older).toContain("state='stopping'");
    writeFileSync(path, older);
    const t2 = await afterCrash(t);
    expect(t2.driver.startupReport).toMatchObject({ recovered: ['o: stop finished'], problems: [] });
    expect(t2.kernel.links.size + t2.kernel.dnsmasq.size).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it("a stop start-up cannot finish keeps its entry until the network's next start replaces it", async () => {
    const t = await first();
    await t.driver.define(natXml('k', '10.80.8'));
    await t.driver.start('k');
    await killDuring(t, 'stop', () => t.driver.destroy('k'));
    const runtime = new FakeRuntime({ kernel: t.kernel, dnsmasqDir: t.paths.dnsmasqDir });
    runtime.failNext('stop', new Error('cannot stop'));
    const t2 = await startTestDriver({ runtime }, { root: t.root, kernel: t.kernel });
    open.push(t2);
    expect(t2.driver.startupReport).toMatchObject({ problems: [{ subject: 'k', message: 'cannot stop' }] });
    expect(await t2.driver.lookupByName('k')).toMatchObject({ active: false });
    expect(existsSync(t2.driver.store.stoppingPath('k'))).toBe(true);
    t.kernel.links.clear();
    await t2.driver.start('k');
    expect(existsSync(t2.driver.store.stoppingPath('k'))).toBe(false);
    expect(readFileSync(t2.driver.store.statusPath('k'), 'utf8')).not.toContain('state=');
    const t3 = await t2.restart();
    open.splice(open.indexOf(t2), 1, t3);
    expect(t3.driver.startupReport).toMatchObject({ adopted: ['k'], recovered: [], problems: [] });
  });

  it('live update: the network runs its previous definition', async () => {
    const t = await first();
    await t.driver.define(natXml('u', '10.80.4'));
    await t.driver.start('u');
    const before = await t.driver.getXml('u');
    await killDuring(t, 'updateLive', () => t.driver.update('u', dhcpHostUpdate("<host mac='52:54:00:00:00:09' ip='10.80.4.9'/>", { live: true })));
    expect(readFileSync(t.driver.store.statusPath('u'), 'utf8')).toContain("state='updating'");
    expect(t.kernel.generations.get('u')).toBe(2);
    const t2 = await afterCrash(t);
    expect(t2.driver.startupReport).toMatchObject({ recovered: ['u: update undone'], adopted: ['u'] });
    expect(await t2.driver.getXml('u')).toBe(before);
    expect(t2.kernel.generations.get('u')).toBe(1);
    expect(readFileSync(t2.driver.store.statusPath('u'), 'utf8')).not.toContain('state=');
  });

  it('a start that fails leaves no journal entry, and a failed update restores the status', async () => {
    const t = await first();
    await t.driver.define(isolatedXml('f', { subnet: '10.80.5' }));
    t.kernel.links.add('virbr0');
    await expect(t.driver.start('f')).rejects.toThrow(/File exists/);
    expect(existsSync(t.driver.store.statusPath('f'))).toBe(false);
    t.kernel.links.delete('virbr0');
    await t.driver.start('f');
  });
});
