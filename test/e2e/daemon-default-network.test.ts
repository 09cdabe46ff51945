/**
 * libvirt's `default` network from the real virtnetd on the real kernel: a
 * fresh root in a namespace whose 192.168.122.0/24 is taken by a LAN gets
 * `default` on the next free /24, started, and says why in its log; once
 * undefined it stays gone over a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { daemonSite, startServing } from './daemon-process.js';
import { canUseNetns, inNetns } from './netns.js';

const root = canUseNetns();

describe.skipIf(!root)("libvirt's default network from virtnetd", () => {
  const site = daemonSite('dflt');

  beforeAll(() => {
    // A LAN on 192.168.122.0/24 in the namespace the networks live in.
    inNetns(site.ns, 'ip', ['link', 'add', 'lan0', 'type', 'bridge']);
    inNetns(site.ns, 'ip', ['addr', 'add', '192.168.122.7/24', 'dev', 'lan0']);
    inNetns(site.ns, 'ip', ['link', 'set', 'lan0', 'up']);
  });

  it('is defined once, away from a subnet in use, and stays undefined', async () => {
    const log = join(site.dir, 'virtnetd.log');
    const first = await startServing(['--root', site.dir, '--netns', site.ns, '--log-file', log], { defaultNetwork: true });
    const c = await connect({ uri: `unix://${first.socket}` });
    site.clients.push(c);
    expect(await c.lookupByName('default')).toMatchObject({ active: true, autostart: true, persistent: true, bridge: 'virbr0' });
    expect(await c.getXml('default')).toContain("<ip address='192.168.124.1' netmask='255.255.255.0'>");
    expect(inNetns(site.ns, 'ip', ['-o', '-4', 'addr', 'show', 'dev', 'virbr0'])).toContain('192.168.124.1/24');
    const lines = readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain("192.168.122.0/24 is in use by lan0: the 'default' network uses 192.168.124.0/24");

    await c.destroy('default');
    await c.undefine('default');
    first.child.kill('SIGTERM');
    await first.exited;

    const second = await startServing(['--root', site.dir, '--netns', site.ns], { defaultNetwork: true });
    const c2 = await connect({ uri: `unix://${second.socket}` });
    site.clients.push(c2);
    expect(await c2.list()).toEqual([]);
  });
});
