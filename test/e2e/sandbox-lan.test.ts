/**
 * The sandbox's stand-in outside world (src/api/sandbox.ts): a guest on the
 * tutorial's bridged network (`<forward mode='bridge'/>` on br0) gets its
 * address from the LAN's own DHCP server in the uplink namespace and
 * reaches the LAN; a guest on a NAT network resolves a name of the outside
 * and learns at once that an unknown one does not exist (the networks'
 * dnsmasqs forward to the uplink's DNS, not to a host resolver the sandbox
 * cannot reach); a bridge-mode network whose bridge is missing does not
 * start, and says why.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import { SANDBOX_LAN } from '../../src/api/sandbox.js';
import { guestXml } from '../support/guest-testkit.js';
import { natXml } from '../support/network-testkit.js';
import { endAllDaemons, spawnDaemon, startServing } from './daemon-process.js';
import { canUseNetns } from './netns.js';
import { have } from './runtime-fixture.js';

const ready = canUseNetns() && have('dnsmasq') && have('busybox');

const BRIDGED = "<network>\n  <name>bridged</name>\n  <forward mode='bridge'/>\n  <bridge name='br0'/>\n</network>\n";
const NAT = natXml('nat', '192.168.120');

describe.skipIf(!ready)('the sandbox LAN and DNS', () => {
  let root: string;
  let c: HttpVirtnetClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'vnt-sblan-'));
    const d = await startServing(['--sandbox', '--root', root]);
    c = await connect({ uri: `unix://${d.socket}` });
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await endAllDaemons();
    const cleanup = await spawnDaemon(['--sandbox-cleanup', '--root', root]);
    await cleanup.exited;
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it("a guest on the bridged network gets the LAN's lease from outside, and reaches the LAN", async () => {
    await c.define(BRIDGED);
    await c.start('bridged');
    await c.guestDefine(guestXml('lanvm', { nics: ['network:bridged@52:54:00:00:02:01'] }));
    await c.guestStart('lanvm');
    const lease = await c.guestExec('lanvm', ['dhcp', 'eth0']);
    expect(lease.stderr).toBe('');
    const m = /^eth0: (192\.0\.2\.(\d+))\/24 router 192\.0\.2\.1 dns 192\.0\.2\.1\n$/.exec(lease.stdout);
    expect(m, lease.stdout).not.toBeNull();
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(100);
    expect(Number(m?.[2])).toBeLessThanOrEqual(199);
    // The LAN's DHCP server, not virtnet, holds the lease.
    expect(readFileSync(join(root, 'run/virtnet/sandbox/lan.leases'), 'utf8')).toContain(` 52:54:00:00:02:01 ${m?.[1]} lanvm `);
    expect(await c.leases('bridged').catch((e: Error) => e.message)).toEqual([]);
    expect((await c.guestExec('lanvm', ['ping', '-c', '1', '-W', '2', SANDBOX_LAN.server])).exitCode).toBe(0);
  }, 60_000);

  it('a guest on a NAT network resolves a name of the outside, and an unknown name is unknown at once', async () => {
    await c.define(NAT);
    await c.start('nat');
    await c.guestDefine(guestXml('natvm', { nics: ['network:nat@52:54:00:00:03:01'] }));
    await c.guestStart('natvm');
    expect((await c.guestExec('natvm', ['dhcp'])).exitCode).toBe(0);
    const outside = await c.guestExec('natvm', ['busybox', 'nslookup', '-type=a', SANDBOX_LAN.outsideName, '192.168.120.1']);
    expect(outside.stdout).toMatch(/Name:\s+outside\.test\nAddress: 198\.51\.100\.1\n/);
    // NXDOMAIN, from the uplink's DNS: forwarded to a server the sandbox cannot reach, it timed out after 5 s instead.
    const unknown = await c.guestExec('natvm', ['busybox', 'nslookup', '-type=a', 'nosuch.invalid', '192.168.120.1']);
    expect(unknown.stdout).toContain("** server can't find nosuch.invalid: NXDOMAIN");
  }, 60_000);

  it('a bridge-mode network whose bridge is missing does not start, and says why', async () => {
    await c.define("<network>\n  <name>nobr</name>\n  <forward mode='bridge'/>\n  <bridge name='br9'/>\n</network>\n");
    const err = await c.start('nobr').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      "Requested operation is not valid: network 'nobr' connects guests to the host's bridge 'br9', but the bridge 'br9' does not exist: create it first (e.g. 'ip link add br9 type bridge', with the host's LAN interface in it) or name an existing bridge",
    );
    expect((await c.lookupByName('nobr')).active).toBe(false);
  });
});
