/**
 * The hidden `complete` command behind contrib/bash-completion/virtnet:
 * command names, the options a command has not been given, and the values
 * of the option being filled (networks as the command wants them,
 * net-update's commands and sections, event types), asking the real
 * drivers over the fake runtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { driverClient } from '../support/driver-client.js';
import { countingRandomness, startTestDriver } from '../support/network-testkit.js';
import { startReproducibleGuestDriver } from '../support/guest-testkit.js';

/** What the running test started, disposed after it. */
const disposals: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const dispose of disposals.splice(0)) await dispose();
});

async function complete(client: VirtnetClient | null, ...words: string[]): Promise<string[]> {
  let out = '';
  const rc = await runCli(['-q', 'complete', '--', ...words], {
    io: { out: (t) => (out += t), err: () => undefined },
    connect: async () => {
      if (!client) throw new Error('no daemon');
      return client;
    },
    env: {},
    cwd: '/',
  });
  expect(rc).toBe(0);
  return out.split('\n').filter((l) => l !== '');
}

/** A daemon that serves networks only. */
async function lab(): Promise<VirtnetClient> {
  const t = await startTestDriver({ random: countingRandomness() });
  disposals.push(() => t.dispose());
  const c = driverClient(t.driver);
  for (const n of ['alpha', 'beta', 'gamma']) await c.define(`<network><name>${n}</name></network>`);
  await c.start('beta');
  await c.setAutostart('gamma', true);
  await c.create('<network><name>temp</name></network>');
  return c;
}

describe('virtnet complete', () => {
  it('completes command names, hiding itself', async () => {
    const all = await complete(null, '');
    expect(all).toContain('net-list');
    expect(all).not.toContain('complete');
    expect(await complete(null, 'net-u')).toEqual(['net-undefine', 'net-update', 'net-uuid']);
  });

  it('offers the networks each command can act on', async () => {
    const c = await lab();
    expect(await complete(c, 'net-info', '')).toEqual(['alpha', 'beta', 'gamma', 'temp']);
    expect(await complete(c, 'net-start', '')).toEqual(['alpha', 'gamma']);
    expect(await complete(c, 'net-destroy', '')).toEqual(['beta', 'temp']);
    expect(await complete(c, 'net-undefine', '')).toEqual(['alpha', 'beta', 'gamma']);
    expect(await complete(c, 'net-info', 'g')).toEqual(['gamma']);
    expect(await complete(c, 'net-info', '--network', 'a')).toEqual(['alpha']);
    expect(await complete(c, 'net-info', '--network=b')).toEqual(['--network=beta']);
    const uuids = await Promise.all(['alpha', 'beta', 'gamma', 'temp'].map(async (n) => (await c.lookupByName(n)).uuid));
    expect(await complete(c, 'net-name', '')).toEqual(uuids);
  });

  it('offers options not given yet, and values of net-update and net-event', async () => {
    expect(await complete(null, 'net-dumpxml', 'x', '--inactive', '--')).toEqual(['--xpath', '--wrap']);
    expect(await complete(null, 'net-update', 'n', '')).toEqual(['add', 'add-first', 'add-last', 'delete', 'modify']);
    expect(await complete(null, 'net-update', 'n', 'add', 'dns-')).toEqual(['dns-host', 'dns-txt', 'dns-srv']);
    expect(await complete(null, 'net-update', 'n', 'add', 'dns-host', '')).toEqual([]);
    expect(await complete(null, 'net-forward-add', 'n', '80', 'web', '--proto', '')).toEqual(['tcp', 'udp', 'both']);
    expect(await complete(null, 'net-forward-remove', 'n', '80', '--')).toEqual(['--proto', '--address', '--live', '--config']);
    expect(await complete(null, 'net-event', '--event', '')).toEqual(['lifecycle']);
    expect(await complete(null, 'help', 'net-ed')).toEqual(['net-edit']);
  });

  it('stays silent when the daemon is out of reach, or the command unknown', async () => {
    expect(await complete(null, 'net-info', '')).toEqual([]);
    expect(await complete(null, 'nosuch', '')).toEqual([]);
  });
});

/** A daemon that also serves guests: one running, two shut off. */
async function guestLab(): Promise<VirtnetClient> {
  const t = await startReproducibleGuestDriver();
  disposals.push(() => t.dispose());
  const c = driverClient(t.driver);
  await c.guestDefine("<domain type='netns'><name>web</name></domain>");
  await c.guestDefine("<domain type='netns'><name>db</name></domain>");
  await c.guestDefine("<domain type='tap'><name>dev</name></domain>");
  await c.guestStart('web');
  return c;
}

describe('virtnet complete, guests', () => {
  it('offers the guests each command can act on', async () => {
    const c = await guestLab();
    expect((await complete(c, 'domiflist', '')).sort()).toEqual(['db', 'dev', 'web']);
    expect(await complete(c, 'attach-interface', 'd')).toEqual(['db', 'dev']);
    expect(await complete(c, 'start', '')).toEqual(['db', 'dev']);
    expect(await complete(c, 'destroy', '')).toEqual(['web']);
    expect(await complete(c, 'detach-interface', '--domain=w')).toEqual(['--domain=web']);
  });

  it('offers no guest names when the daemon does not serve guests', async () => {
    expect(await complete(await lab(), 'domiflist', '')).toEqual([]);
  });
});
