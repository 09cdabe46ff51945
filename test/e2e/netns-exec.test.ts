/**
 * Issue 10 point 9: virtnetd run under `ip netns exec NS` (no --netns)
 * lives in a mount namespace of its own. Its guests' namespaces are made in
 * the host's mount namespace (through its parent's), so other processes see
 * them and a restarted daemon, in another private copy, still reaches them;
 * where no host mount namespace can be found (a private /run/netns), a
 * netns guest is refused with the reason instead of being lost.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import { isolatedXml } from '../support/network-testkit.js';
import { guestXml } from '../support/guest-testkit.js';
import type { VirError } from '../../src/util/errors.js';
import { daemonSite, startServing } from './daemon-process.js';
import { canUseNetns, deleteNetns } from './netns.js';

const root = canUseNetns();

const hostNamespaces = (): string[] =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0] ?? '');

describe.skipIf(!root)('virtnetd under ip netns exec', () => {
  const site = daemonSite('nsx', { open: true });
  const guest = `trust-${randomBytes(3).toString('hex')}`;
  const guestNs = `virtnet-g-${guest}`;

  // The guest's namespace is named after the guest alone here (no --netns).
  afterAll(() => {
    if (hostNamespaces().includes(guestNs)) deleteNetns(guestNs);
  });

  const serve = async (prefix: string[]): Promise<{ c: HttpVirtnetClient; stop: () => Promise<void> }> => {
    const d = await startServing(['--root', site.dir, '--no-libvirt-socket'], { prefix });
    const c = await connect({ uri: `unix://${d.socket}` });
    site.clients.push(c);
    return {
      c,
      stop: async () => {
        await c.close();
        d.child.kill('SIGTERM');
        await d.exited;
      },
    };
  };

  it("makes guests' namespaces where every process sees them, so a restarted daemon still reaches them", async () => {
    const first = await serve(['ip', 'netns', 'exec', site.ns]);
    await first.c.define(isolatedXml('iso', { subnet: '10.91.1' }));
    await first.c.start('iso');
    await first.c.guestDefine(guestXml(guest, { nics: ['network:iso'] }));
    await first.c.guestStart(guest);
    expect(hostNamespaces()).toContain(guestNs);
    const seen = spawnSync('ip', ['-n', guestNs, '-o', 'link', 'show', 'eth0'], { encoding: 'utf8' });
    expect(seen.status).toBe(0);
    await first.stop();

    const second = await serve(['ip', 'netns', 'exec', site.ns]);
    expect(await second.c.guestLookupByName(guest)).toMatchObject({ active: true });
    const out = await second.c.guestExec(guest, ['ip', '-o', 'link', 'show', 'eth0']);
    expect(out.stderr).toBe('');
    expect(out.exitCode).toBe(0);
    await second.c.guestDestroy(guest);
    expect(hostNamespaces()).not.toContain(guestNs);
    await second.c.destroy('iso');
    await second.stop();
  });

  it('refuses a netns guest with the reason when /run/netns is private to it', async () => {
    const d = await serve(['unshare', '-m', '--propagation', 'private', 'ip', 'netns', 'exec', site.ns]);
    await d.c.start('iso');
    const err = await d.c.guestStart(guest).then(
      () => undefined,
      (e: unknown) => e as VirError,
    );
    expect(err?.message).toMatch(
      new RegExp(
        `^Operation not supported: guest '${guest}' needs a network namespace of its own, but virtnetd runs in a mount namespace of its own \\(was it started under \`ip netns exec\`\\?\\)`,
      ),
    );
    expect(hostNamespaces()).not.toContain(guestNs);
    expect((await d.c.guestLookupByName(guest)).active).toBe(false);
    await d.c.destroy('iso');
    await d.stop();
  });
});
