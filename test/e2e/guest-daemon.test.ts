/**
 * Guests through the real virtnetd process (--root in a temporary folder,
 * --netns in a test namespace) and the typed client: a netns guest started
 * and given a second NIC, guest-exec inside it, its events over the
 * stream, a refused change on the read-only socket; the daemon stopped
 * with SIGTERM leaves the guest running, the next daemon adopts it, and
 * destroying it leaves nothing.
 */
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { isolatedXml } from '../support/network-testkit.js';
import { guestXml, interfaceXml } from '../support/guest-testkit.js';
import type { VirError } from '../../src/util/errors.js';
import { daemonSite, startServing } from './daemon-process.js';
import { guestNamespaces, linkIn, until } from './guest-fixture.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();

describe.skipIf(!root)('guests through the real virtnetd', () => {
  const site = daemonSite('gdmn', { open: true });

  it('serves guests, keeps them over a daemon restart, and removes them at destroy', async () => {
    const first = await startServing(['--root', site.dir, '--netns', site.ns]);
    const c = await connect({ uri: `unix://${first.socket}` });
    site.clients.push(c);
    const events: DriverEvent[] = [];
    c.subscribe((e) => events.push(e));
    await c.eventsReady();

    await c.define(isolatedXml('isolated', { subnet: '192.168.100', bridge: 'virbr1' }));
    await c.start('isolated');
    await c.guestDefine(guestXml('centos7.0', { nics: ['network:isolated'] }));
    await c.guestStart('centos7.0');
    await c.guestAttachDevice('centos7.0', interfaceXml('network', 'isolated'), { live: true });
    expect(guestNamespaces(site.ns)).toEqual([`${site.ns}-g-centos7.0`]);
    expect((await c.bridgePorts('virbr1'))[0]!.ports).toEqual(['vnet0', 'vnet1']);
    const out = await c.guestExec('centos7.0', ['ip', '-o', 'link', 'show']);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/\beth0@/);
    expect(out.stdout).toMatch(/\beth1@/);
    await until(() => events.filter((e) => e.kind === 'guest').length === 3, 5000, 'guest events');
    expect(events.flatMap((e) => (e.kind === 'guest' ? [e.event] : []))).toEqual(['Defined', 'Started', 'DeviceAdded']);

    const ro = await connect({ uri: `unix://${first.socket}`, readonly: true });
    site.clients.push(ro);
    const refused = await ro.guestDestroy('centos7.0').then(
      () => undefined,
      (e: unknown) => e as VirError,
    );
    expect(refused?.message).toBe('operation forbidden: read only access prevents virDomainDestroy');

    first.child.kill('SIGTERM');
    await first.exited;
    expect(linkIn(site.ns, 'vnet1')).toMatchObject({ master: 'virbr1' });

    const second = await startServing(['--root', site.dir, '--netns', site.ns]);
    const c2 = await connect({ uri: `unix://${second.socket}` });
    site.clients.push(c2);
    expect(await c2.guestLookupByName('centos7.0')).toMatchObject({ active: true, id: 1 });
    expect(await c2.getXml('isolated')).toMatch(/^<network connections='2'>/);
    await c2.guestDestroy('centos7.0');
    expect(guestNamespaces(site.ns)).toEqual([]);
    expect(linkIn(site.ns, 'vnet0')).toBeUndefined();
    await c2.destroy('isolated');
  }, 90_000);
});
