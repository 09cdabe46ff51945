/**
 * A fresh start (`virtnetd --purge`): the sandbox goes, then the root's
 * files, and the next start is a first start — libvirt's `default` network
 * is back (active, autostart) although it had been undefined, and what was
 * defined before is gone. Refused while the daemon runs, and while a
 * network of the root runs outside a sandbox (its files are kept then).
 */
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { cleanupSandbox, sandboxNames } from '../../src/api/sandbox.js';
import { virtnetPaths } from '../../src/driver/common/paths.js';
import { natXml } from '../support/network-testkit.js';
import { endAllDaemons, spawnDaemon, startServing } from './daemon-process.js';
import { canUseNetns, createNetns, deleteNetns, netnsPids } from './netns.js';
import { have } from './runtime-fixture.js';

const ready = canUseNetns() && have('dnsmasq');

const NAT = natXml('kept', '192.168.171', { range: [10, 20] });

describe.skipIf(!ready)('virtnetd --purge', () => {
  let dir: string;
  let ns: string | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vnt-purge-'));
  });
  afterAll(async () => {
    await endAllDaemons();
    await cleanupSandbox(sandboxNames(join(dir, 'sbx')));
    if (ns) deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("removes the sandbox and the root's files: the next start defines libvirt's default network again", async () => {
    const root = join(dir, 'sbx');
    const names = sandboxNames(root);
    const d1 = await startServing(['--sandbox', '--root', root], { defaultNetwork: true });
    const c1 = await connect({ uri: `unix://${d1.socket}` });
    await c1.define(NAT);
    await c1.start('kept');
    await c1.setAutostart('kept', true);
    await c1.destroy('default');
    await c1.undefine('default');
    await c1.close();

    const early = await spawnDaemon(['--purge', '--root', root]);
    expect(await early.exited).toBe(1);
    expect(early.stderr()).toBe(`virtnetd: virtnetd is running for ${root} (pid ${d1.pid}); stop it before removing its sandbox and state\n`);

    d1.child.kill('SIGTERM');
    expect(await d1.exited).toBe(0);
    const purge = await spawnDaemon(['--purge', '--root', root]);
    expect(await purge.exited, purge.stderr()).toBe(0);
    const p = virtnetPaths(root);
    expect(purge.stdout()).toMatch(
      new RegExp(
        `^virtnetd: removed network namespaces '${names.netns}' and '${names.uplink}', ending \\d+ process(es)?\\n` +
          `virtnetd: removed '${p.configDir}', '${p.runDir}' and '${p.stateDir}': the next start is a first start\\n$`,
      ),
    );
    for (const d of [p.configDir, p.runDir, p.stateDir, `/run/netns/${names.netns}`]) expect([d, existsSync(d)]).toEqual([d, false]);

    const d2 = await startServing(['--sandbox', '--root', root], { defaultNetwork: true });
    const c2 = await connect({ uri: `unix://${d2.socket}` });
    expect((await c2.list()).map((n) => [n.name, n.active, n.autostart])).toEqual([['default', true, true]]);
    await c2.close();
    d2.child.kill('SIGTERM');
    expect(await d2.exited).toBe(0);

    const again = await spawnDaemon(['--sandbox-cleanup', '--purge', '--root', root]);
    expect(await again.exited).toBe(0);
  }, 60_000);

  it('keeps the files of a root whose network still runs outside a sandbox, and says what to do', async () => {
    const root = join(dir, 'host');
    ns = createNetns('prg');
    const d = await startServing(['--root', root, '--netns', ns]);
    const c = await connect({ uri: `unix://${d.socket}` });
    await c.define(NAT);
    await c.start('kept');
    await c.close();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    // Stopping the daemon leaves the network running (the next daemon adopts it): its dnsmasq is there.
    expect(netnsPids(ns).length).toBeGreaterThan(0);

    const purge = await spawnDaemon(['--purge', '--root', root]);
    expect(await purge.exited).toBe(1);
    expect(purge.stdout()).toBe(`virtnetd: no sandbox to remove ('${sandboxNames(root).netns}', '${sandboxNames(root).uplink}' do not exist)\n`);
    const refused =
      "virtnetd: network 'kept' of this root still runs outside a sandbox, so its files were kept: start virtnetd, stop it ('virtnet net-destroy NAME', 'virtnet destroy NAME'), stop virtnetd, then purge\n";
    expect(purge.stderr()).toBe(refused);
    expect(existsSync(join(virtnetPaths(root).networkConfigDir, 'kept.xml'))).toBe(true);

    // A stop a kill cut short leaves its entry, the status file renamed: that network may still run too.
    const statusDir = virtnetPaths(root).networkStatusDir;
    renameSync(join(statusDir, 'kept.xml'), join(statusDir, 'kept.stopping'));
    const again = await spawnDaemon(['--purge', '--root', root]);
    expect(await again.exited).toBe(1);
    expect(again.stderr()).toBe(refused);
    expect(existsSync(join(statusDir, 'kept.stopping'))).toBe(true);
  }, 60_000);
});
