/**
 * Changes based on a known version (ETag / If-Match), through virtnetd's
 * HTTP API and the typed client, over the real drivers on the fake
 * runtime: every network and guest has a version that changes with every
 * change and only then; a change naming a stale version is refused with
 * 412 and libvirt-style text, and nothing is changed; of changes racing on
 * the same version exactly one goes through. Changes without a version
 * behave as before. Autostart changes are an event of their own.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { HttpVirtnetClient } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { errorCodeOf } from '../../src/contract/error-codes.js';
import { natXml } from '../support/network-testkit.js';
import { guestXml } from '../support/guest-testkit.js';
import { pollUntil } from '../support/poll.js';
import { rejectionOf } from './support/vir-error.js';
import { chmodSync, writeFileSync } from 'node:fs';
import { runCli } from '../../src/cli/run-cli.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { serveGuestsForEachTest } from './support/served-guests.js';
import { dhcpHostUpdate } from './support/update-request.js';

const served = serveGuestsForEachTest('virtnet-versions-');
let c: HttpVirtnetClient;

beforeEach(async () => {
  c = await served.api.open({ uri: `unix://${served.api.sock}` });
});
const HOST = (n: number): string => `<host mac='52:54:00:00:00:0${n}' ip='192.168.122.1${n}'/>`;
const update = (xml: string) => dhcpHostUpdate(xml, { live: true, config: true });

describe('network versions', () => {
  it('change with every change, and only then; equal states give equal versions', async () => {
    await c.define(natXml('n', '192.168.122'));
    const v0 = await c.versionOf('n');
    expect(await c.versionOf('n')).toBe(v0);
    await c.getXml('n');
    expect(await c.versionOf('n')).toBe(v0);
    await c.start('n');
    const v1 = await c.versionOf('n');
    await c.setAutostart('n', true);
    const v2 = await c.versionOf('n');
    await c.update('n', update(HOST(1)));
    const v3 = await c.versionOf('n');
    expect(new Set([v0, v1, v2, v3]).size).toBe(4);
    await c.setAutostart('n', false);
    expect(await c.versionOf('n')).not.toBe(v3);
    // The same state again, the same version (it is the state's, not a counter).
    await c.update('n', { ...update(HOST(1)), command: 'delete' });
    expect(await c.versionOf('n')).toBe(v1);
  });

  it('refuse a change based on another version with 412 and a libvirt-style error, changing nothing', async () => {
    await c.define(natXml('n', '192.168.122'));
    await c.start('n');
    const seen = await c.versionOf('n');
    await c.update('n', update(HOST(1)));
    const before = await c.getXml('n', { inactive: true });
    const err = await rejectionOf(c.update('n', update(HOST(2)), { ifMatch: seen }));
    const now = await c.versionOf('n');
    expect([err.errorClass, err.status, err.message]).toEqual([
      'OPERATION_FAILED',
      412,
      `operation failed: network 'n' has changed since it was read: version '${seen}' expected, '${now}' found`,
    ]);
    expect(errorCodeOf(err)).toEqual({ code: 'network.changed', params: { name: 'n', expected: seen, actual: now } });
    expect(await c.getXml('n', { inactive: true })).toBe(before);
    // Every kind of change takes the precondition: define, autostart, destroy, start, undefine.
    for (const change of [
      () => c.define(before.replace('</network>', "<mtu size='1400'/></network>"), { ifMatch: seen }),
      () => c.setAutostart('n', true, { ifMatch: seen }),
      () => c.destroy('n', { ifMatch: seen }),
      () => c.undefine('n', { ifMatch: seen }),
    ]) {
      expect((await rejectionOf(change())).status).toBe(412);
    }
    expect(await c.lookupByName('n')).toMatchObject({ active: true, autostart: false, persistent: true });
    // With the current version, it goes through; without one, as before.
    await c.update('n', update(HOST(2)), { ifMatch: now });
    await c.destroy('n');
    await c.start('n', { ifMatch: await c.versionOf('n') });
    // A precondition on a network that is gone says so.
    expect((await rejectionOf(c.define(natXml('other', '192.168.9'), { ifMatch: now }))).errorClass).toBe('NO_NETWORK');
  });

  it('lets exactly one of two changes racing on the same version through', async () => {
    await c.define(natXml('n', '192.168.122'));
    await c.start('n');
    const other = await served.api.open({ uri: `unix://${served.api.sock}` });
    for (let round = 0; round < 5; round++) {
      const v = await c.versionOf('n');
      const results = await Promise.allSettled([
        c.update('n', update(`<host mac='52:54:00:00:01:${round}0' ip='192.168.122.${100 + 2 * round}'/>`), { ifMatch: v }),
        other.update('n', update(`<host mac='52:54:00:00:01:${round}1' ip='192.168.122.${101 + 2 * round}'/>`), { ifMatch: v }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      const refused = results.find((r) => r.status === 'rejected');
      expect((refused as PromiseRejectedResult).reason.status).toBe(412);
    }
    // Five reservations, one per round: none was lost, none written over another.
    const xml = await c.getXml('n', { inactive: true });
    expect(xml.match(/<host /g)?.length).toBe(5);
    await other.close();
  });

  it('serves the version as the ETag of a network and of its XML, and takes it back as If-Match', async () => {
    await c.define(natXml('n', '192.168.122'));
    const v = await c.versionOf('n');
    expect((await c.transport.call('GET', '/api/networks/n/xml')).etag).toBe(v);
    const stale = await rejectionOf(c.transport.call('PUT', '/api/networks/n/autostart', { autostart: true }, { ifMatch: 'x' }));
    expect(stale.status).toBe(412);
    await c.transport.call('PUT', '/api/networks/n/autostart', { autostart: true }, { ifMatch: v });
  });

  it('emits an event of its own when autostart changes, and none when it does not', async () => {
    await c.define(natXml('n', '192.168.122'));
    const got: DriverEvent[] = [];
    const off = c.subscribe((e) => got.push(e));
    await c.eventsReady();
    await c.setAutostart('n', true);
    await c.setAutostart('n', true);
    await c.setAutostart('n', false);
    await pollUntil(() => got.length >= 2, { ms: 3000, everyMs: 10 });
    expect(got.map((e) => (e.kind === 'autostart' ? `${e.network.name}:${e.autostart}` : e.kind))).toEqual(['n:true', 'n:false']);
    off();
  });
});

describe('guest versions', () => {
  it('refuse a guest change based on another version, and let a current one through', async () => {
    await c.define(natXml('default', '192.168.122'));
    await c.start('default');
    const { uuid } = await c.guestDefine(guestXml('g', { nics: ['network:default'] }));
    const v0 = await c.guestVersionOf('g');
    await c.guestStart('g');
    const v1 = await c.guestVersionOf('g');
    expect(v1).not.toBe(v0);
    const err = await rejectionOf(c.guestDestroy('g', { ifMatch: v0 }));
    expect([err.status, err.message]).toEqual([
      412,
      `operation failed: domain 'g' has changed since it was read: version '${v0}' expected, '${v1}' found`,
    ]);
    expect((await c.guestLookupByName('g')).active).toBe(true);
    await c.guestDestroy('g', { ifMatch: v1 });
    expect((await rejectionOf(c.guestDefine(guestXml('g', { uuid, nics: [] }), { ifMatch: v1 }))).status).toBe(412);
    await c.guestDefine(guestXml('g', { uuid, nics: [] }), { ifMatch: await c.guestVersionOf('g') });
  });
});

describe('net-edit', () => {
  it('refuses to save over a change made while the editor was open, even one that lands after its last look', async () => {
    await c.define(natXml('n', '192.168.122'));
    const editor = join(served.dir, 'set-mtu.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i "s|</network>|  <mtu size='1400'/>\\n</network>|" "$1"\n`);
    chmodSync(editor, 0o755);
    const other = await served.api.open({ uri: `unix://${served.api.sock}` });
    // The CLI's client: right after net-edit looks at the XML a second time (virsh's own check), another
    // user adds a reservation, which only the version can reveal.
    let reads = 0;
    const own = await served.api.open({ uri: `unix://${served.api.sock}` });
    const client: VirtnetClient = Object.create(own);
    client.getXml = async (name, options) => {
      const xml = await own.getXml(name, options);
      if (++reads === 2) await other.update('n', { ...update(HOST(5)), flags: { config: true } });
      return xml;
    };
    let out = '';
    let err = '';
    const rc = await runCli(['net-edit', 'n'], {
      io: { out: (t) => (out += t), err: (t) => (err += t), stdinIsTTY: false, readKey: async () => '' },
      connect: async () => client,
      env: { PATH: process.env['PATH'], EDITOR: editor },
      cwd: served.dir,
    });
    // Without a terminal nobody can be asked again: it says why, gives up on this edit and fails (virsh 9.0 exits 0).
    expect([rc, err]).toEqual([1, 'error: The XML configuration was changed by another user.\n']);
    expect(out).toBe('\n');
    const saved = await c.getXml('n', { inactive: true });
    expect(saved).toContain(HOST(5));
    expect(saved).not.toContain('<mtu');
    await other.close();
  });
});
