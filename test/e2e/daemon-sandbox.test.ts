/**
 * `virtnetd --sandbox`: the daemon makes its own namespace with an uplink
 * namespace behind it; a NAT network started there lets a guest namespace
 * reach the uplink's address through the network's masquerading, without
 * touching the host's own namespace. A restart reuses the sandbox and
 * adopts the network; `--sandbox-cleanup` is refused while the daemon runs,
 * then removes both namespaces and ends the processes inside.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { cleanupSandbox, sandboxNames, SANDBOX_ADDRESSES } from '../../src/api/sandbox.js';
import { natXml } from '../support/network-testkit.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, netnsPids, vethBetween } from './netns.js';
import { endAllDaemons, spawnDaemon, startServing } from './daemon-process.js';

const root = canUseNetns();

const NAT = natXml('sbxnat', '192.168.164', { bridge: 'vbr-sbx', range: [10, 20] });

const ping = (ns: string, address: string): boolean =>
  spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', address], { stdio: 'ignore' }).status === 0;

/** Ping until it answers: a new bridge port forwards only after STP's listening and learning (2 × 2 s). */
async function pingSoon(ns: string, address: string, timeoutMs = 12_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (ping(ns, address)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** A process that ended (a zombie waiting for its reaper counts as ended). */
function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe.skipIf(!root)('virtnetd --sandbox', () => {
  let dir: string;
  let r: string;
  let guest: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vnt-sandbox-'));
    r = join(dir, 'root');
  });
  afterAll(async () => {
    await endAllDaemons();
    if (guest) deleteNetns(guest);
    await cleanupSandbox(sandboxNames(r)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the sandbox, NATs a guest out to the uplink, survives a restart and is cleaned up', { timeout: 60_000 }, async () => {
    const names = sandboxNames(r);
    const d1 = await startServing(['--sandbox', '--root', r]);
    await d1.waitFor(new RegExp(`sandbox network namespace '${names.netns}' with uplink namespace '${names.uplink}'`));
    expect(existsSync(`/run/netns/${names.netns}`)).toBe(true);
    expect(existsSync(`/run/netns/${names.uplink}`)).toBe(true);
    expect(inNetns(names.netns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'uplink'])).toContain(SANDBOX_ADDRESSES.sandbox4);
    expect(inNetns(names.netns, 'ip', ['route', 'show', 'default'])).toContain(`default via ${SANDBOX_ADDRESSES.gateway4} dev uplink`);
    expect(ping(names.netns, SANDBOX_ADDRESSES.gateway4)).toBe(true);

    const c = await connect({ uri: `unix://${d1.socket}` });
    await c.define(NAT);
    await c.start('sbxnat');
    await c.close();
    // The network lives in the sandbox, not in the host's namespace.
    expect(inNetns(names.netns, 'ip', ['-o', 'link', 'show', 'dev', 'vbr-sbx'])).toContain('vbr-sbx');
    expect(spawnSync('ip', ['link', 'show', 'dev', 'vbr-sbx'], { stdio: 'ignore' }).status).not.toBe(0);

    // A guest on the NAT network reaches the uplink's address, masqueraded as the sandbox.
    guest = createNetns('sg');
    vethBetween(guest, 'eth0', names.netns, 'vnet-sg');
    inNetns(names.netns, 'ip', ['link', 'set', 'vnet-sg', 'master', 'vbr-sbx']);
    inNetns(guest, 'ip', ['addr', 'add', '192.168.164.50/24', 'dev', 'eth0']);
    inNetns(guest, 'ip', ['route', 'add', 'default', 'via', '192.168.164.1']);
    expect(await pingSoon(guest, SANDBOX_ADDRESSES.gateway4)).toBe(true);

    d1.child.kill('SIGTERM');
    expect(await d1.exited).toBe(0);

    // A restart finds its sandbox and adopts the running network.
    const d2 = await startServing(['--sandbox', '--root', r]);
    const c2 = await connect({ uri: `unix://${d2.socket}` });
    expect(await c2.lookupByName('sbxnat')).toMatchObject({ active: true });
    await c2.close();
    expect(ping(guest, SANDBOX_ADDRESSES.gateway4)).toBe(true);

    const early = await spawnDaemon(['--sandbox-cleanup', '--root', r]);
    expect(await early.exited).toBe(1);
    expect(early.stderr()).toBe(`virtnetd: virtnetd is running for ${r} (pid ${d2.pid}); stop it before removing its sandbox\n`);
    expect(existsSync(`/run/netns/${names.netns}`)).toBe(true);

    d2.child.kill('SIGTERM');
    expect(await d2.exited).toBe(0);
    const inside = netnsPids(names.netns);
    expect(inside.length).toBeGreaterThan(0); // dnsmasq of the running network

    const cleanup = await spawnDaemon(['--sandbox-cleanup', '--root', r]);
    expect(await cleanup.exited).toBe(0);
    expect(cleanup.stdout()).toMatch(
      new RegExp(`^virtnetd: removed network namespaces '${names.netns}' and '${names.uplink}', ending \\d+ process(es)?\\n$`),
    );
    expect(existsSync(`/run/netns/${names.netns}`)).toBe(false);
    expect(existsSync(`/run/netns/${names.uplink}`)).toBe(false);
    for (const pid of inside) expect([pid, gone(pid)]).toEqual([pid, true]);

    const again = await spawnDaemon(['--sandbox-cleanup', '--root', r]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toBe(`virtnetd: no sandbox to remove ('${names.netns}', '${names.uplink}' do not exist)\n`);
  });
});
