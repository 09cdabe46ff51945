/**
 * The tutorial's guest part end to end: the built CLI, each command its own
 * process, against a real virtnetd whose networks and guests live in
 * namespaces this test creates (the daemon's, and one per netns guest,
 * named after it) and always removes.
 *
 * It replays: networks `default` (NAT) and `isolated` defined and started;
 * a netns guest centos7.0 with a NIC on default, started;
 * `attach-interface --domain centos7.0 --source isolated --type network
 * --model virtio --config --live`; domiflist with both NICs; a DHCP lease on
 * each through `guest-exec centos7.0 -- busybox udhcpc …`, seen by
 * net-dhcp-leases and domifaddr; bridge-show with the vnetN ports; a second
 * guest on isolated that reaches centos7.0 there but not on default;
 * net-destroy refused while guests are attached and done with --force,
 * after which a restarted network has its running guest plugged back in;
 * and `detach-interface --mac … --config --live` taking the NIC out of the
 * kernel and of the stored definition.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeCliBundle, virtnet, type CliRun } from './cli-harness.js';
import { endAllDaemons, startServing } from './daemon-process.js';
import { deleteGuestNamespaces } from './guest-fixture.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';
import { defaultNetworkXml, isolatedNetworkXml } from './tutorial-networks.js';
import { udhcpcArgv } from './udhcpc-script.js';
import { guestXml } from '../support/guest-testkit.js';

const root = canUseNetns();

const DEFAULT_XML = defaultNetworkXml();
const ISOLATED_XML = isolatedNetworkXml();

const C7_MAC = '52:54:00:c7:00:01';
const SECOND_MAC = '52:54:00:c7:00:02';

describe.skipIf(!root)('the tutorial’s guests through the built CLI and a real virtnetd', () => {
  let ns: string;
  let dir: string;
  let env: Record<string, string>;
  let run: (...args: string[]) => Promise<CliRun>;
  /** centos7.0's MAC on isolated (allocated by the driver). */
  let attachedMac = '';
  const addr: Record<string, string> = {};

  /** A lease through guest-exec: the address udhcpc put on `dev`. */
  async function dhcp(guest: string, dev: string): Promise<string> {
    const r = await run('-q', 'guest-exec', guest, '--', ...udhcpcArgv(dev, 10));
    expect(r.rc, r.stderr).toBe(0);
    const shown = await run('-q', 'guest-exec', guest, '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', dev);
    const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(shown.stdout);
    expect(m, shown.stdout + shown.stderr).not.toBeNull();
    return m![1]!;
  }

  beforeAll(async () => {
    ns = createNetns('cgt');
    dir = mkdtempSync(join(tmpdir(), 'vnt-cli-guest-'));
    for (const [f, text] of [
      ['default.xml', DEFAULT_XML],
      ['isolated.xml', ISOLATED_XML],
      ['centos7.0.xml', guestXml('centos7.0', { nics: [`network:default@${C7_MAC}`] })],
      ['second.xml', guestXml('second', { nics: [`network:isolated@${SECOND_MAC}`] })],
    ] as const) {
      writeFileSync(join(dir, f), text);
    }
    const d = await startServing(['--root', join(dir, 'root'), '--netns', ns, '--log-level', 'warn']);
    env = { VIRTNET_DEFAULT_URI: `unix://${d.socket}` };
    run = (...args: string[]) => virtnet(args, { cwd: dir, env, timeoutMs: 60_000 });
  }, 60_000);

  afterAll(async () => {
    if (run) await run('-q', 'destroy second; undefine second; destroy centos7.0; undefine centos7.0').catch(() => undefined);
    await endAllDaemons();
    removeCliBundle();
    // Guest namespaces are named after the daemon's: remove any the daemon left behind.
    if (ns) deleteGuestNamespaces(ns);
    if (ns) deleteNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('defines and starts the networks and centos7.0', async () => {
    expect(await run('net-define default.xml; net-start default; net-define isolated.xml; net-start isolated')).toEqual({
      stdout:
        'Network default defined from default.xml\n\nNetwork default started\n\nNetwork isolated defined from isolated.xml\n\nNetwork isolated started\n\n',
      stderr: '',
      rc: 0,
    });
    expect(await run('define', 'centos7.0.xml')).toEqual({ stdout: "Domain 'centos7.0' defined from centos7.0.xml\n\n", stderr: '', rc: 0 });
    expect(await run('list', '--all')).toEqual({
      stdout: ' Id   Name        State\n----------------------------\n -    centos7.0   shut off\n\n',
      stderr: '',
      rc: 0,
    });
    expect(await run('start', 'centos7.0')).toEqual({ stdout: "Domain 'centos7.0' started\n\n", stderr: '', rc: 0 });
    expect(await run('list')).toEqual({
      stdout: ' Id   Name        State\n---------------------------\n 1    centos7.0   running\n\n',
      stderr: '',
      rc: 0,
    });
  }, 60_000);

  it('attaches a virtio NIC on isolated to the running guest and its config; domiflist shows both NICs', async () => {
    expect(
      await run('attach-interface', '--domain', 'centos7.0', '--source', 'isolated', '--type', 'network', '--model', 'virtio', '--config', '--live'),
    ).toEqual({
      stdout: 'Interface attached successfully\n\n',
      stderr: '',
      rc: 0,
    });
    const live = await run('domiflist', 'centos7.0');
    const m = new RegExp(
      `^ Interface   Type      Source     Model    MAC\\n-{62}\\n vnet0       network   default    virtio   ${C7_MAC}\\n vnet1       network   isolated   virtio   (52:54:00(?::[0-9a-f]{2}){3})\\n\\n$`,
    ).exec(live.stdout);
    expect(m, live.stdout + live.stderr).not.toBeNull();
    attachedMac = m![1]!;
    expect((await run('-q', 'domiflist', 'centos7.0', '--inactive')).stdout).toBe(
      ` -   network   default    virtio   ${C7_MAC}\n -   network   isolated   virtio   ${attachedMac}\n`,
    );
    const links = inNetns(`${ns}-g-centos7.0`, 'ip', ['-o', 'link', 'show']);
    expect(links).toContain(`eth0`);
    expect(links).toContain(`eth1`);
    expect(links).toContain(attachedMac);
  }, 60_000);

  it('gets a lease on each NIC through guest-exec, seen by net-dhcp-leases and domifaddr', async () => {
    addr['c7-default'] = await dhcp('centos7.0', 'eth0');
    addr['c7-isolated'] = await dhcp('centos7.0', 'eth1');
    expect(addr['c7-default']).toMatch(/^192\.168\.122\./);
    expect(addr['c7-isolated']).toMatch(/^192\.168\.100\./);
    expect((await run('net-dhcp-leases', 'default')).stdout).toContain(` ${C7_MAC}   ipv4       ${addr['c7-default']}/24 `);
    expect((await run('net-dhcp-leases', 'isolated')).stdout).toContain(` ${attachedMac}   ipv4       ${addr['c7-isolated']}/24 `);
    const ifaddr = await run('domifaddr', 'centos7.0');
    expect(ifaddr.stdout).toBe(
      ' Name       MAC address          Protocol     Address\n' +
        '-------------------------------------------------------------------------------\n' +
        ` vnet0      ${C7_MAC}    ipv4         ${addr['c7-default']}/24\n` +
        ` vnet1      ${attachedMac}    ipv4         ${addr['c7-isolated']}/24\n\n`,
    );
    const exec = await run('guest-exec', 'centos7.0', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(exec).toEqual({ stdout: 'out\n\n', stderr: 'err\n', rc: 3 });
  }, 90_000);

  it('bridge-show lists the vnetN ports in brctl’s layout', async () => {
    const r = await run('-q', 'bridge-show');
    expect(r.stdout).toMatch(/^bridge name\tbridge id\t\tSTP enabled\tinterfaces\n/);
    expect(r.stdout).toMatch(/\nvirbr0\t\t8000\.[0-9a-f]{12}\t(yes|no)\t\tvnet0\n/);
    expect(r.stdout).toMatch(/\nvirbr1\t\t8000\.[0-9a-f]{12}\t(yes|no)\t\tvnet1\n/);
    const one = await run('-q', 'bridge-show', 'virbr1');
    expect(one.stdout).toMatch(/^bridge name\tbridge id\t\tSTP enabled\tinterfaces\nvirbr1\t\t8000\.[0-9a-f]{12}\t(yes|no)\t\tvnet1\n$/);
    expect(await run('bridge-show', 'nosuch')).toMatchObject({ stderr: 'error: bridge nosuch does not exist!\n', rc: 1 });
  }, 30_000);

  it('a second guest on isolated reaches centos7.0 there, but not on default', async () => {
    expect((await run('-q', 'define second.xml; start second')).rc).toBe(0);
    addr['second'] = await dhcp('second', 'eth0');
    const ping = (to: string) => run('-q', 'guest-exec', 'second', '--', 'ping', '-c', '1', '-W', '2', to);
    expect((await ping(addr['c7-isolated']!)).rc).toBe(0);
    expect((await ping(addr['c7-default']!)).rc).not.toBe(0);
    const ports = (await run('-q', 'bridge-show', 'virbr1')).stdout;
    expect(ports).toMatch(/\tvnet1\n\t{7}vnet2\n$/);
  }, 90_000);

  it('net-destroy names the attached guests and needs --force; a restarted network gets its running guests back', async () => {
    expect(await run('net-destroy', 'isolated')).toEqual({
      stdout: '\n',
      stderr:
        "error: Failed to destroy network isolated\nerror: Requested operation is not valid: network 'isolated' has guests attached: centos7.0, second (use --force to destroy it anyway)\n",
      rc: 1,
    });
    expect(await run('net-destroy', 'isolated', '--force')).toEqual({ stdout: 'Network isolated destroyed\n\n', stderr: '', rc: 0 });
    expect(await run('net-start', 'isolated')).toEqual({ stdout: 'Network isolated started\n\n', stderr: '', rc: 0 });
    const ports = (await run('-q', 'bridge-show', 'virbr1')).stdout;
    expect(ports).toMatch(/\tvnet1\n\t{7}vnet2\n$/);
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      reached = (await run('-q', 'guest-exec', 'second', '--', 'ping', '-c', '1', '-W', '1', addr['c7-isolated']!)).rc === 0;
    }
    expect(reached).toBe(true);
  }, 90_000);

  it('detach-interface --mac with --config --live takes the NIC out of the kernel and of the stored definition', async () => {
    expect(await run('detach-interface', 'centos7.0', 'network', '--mac', attachedMac, '--config', '--live')).toEqual({
      stdout: 'Interface detached successfully\n\n',
      stderr: '',
      rc: 0,
    });
    expect((await run('-q', 'domiflist', 'centos7.0')).stdout).toBe(` vnet0   network   default   virtio   ${C7_MAC}\n`);
    expect((await run('-q', 'domiflist', 'centos7.0', '--inactive')).stdout).toBe(` -   network   default   virtio   ${C7_MAC}\n`);
    expect((await run('dumpxml', '--inactive', 'centos7.0')).stdout).not.toContain(attachedMac);
    const stored = readFileSync(join(dir, 'root', 'etc', 'virtnet', 'guests', 'centos7.0.xml'), 'utf8');
    expect(stored).toContain(C7_MAC);
    expect(stored).not.toContain(attachedMac);
    expect(inNetns(`${ns}-g-centos7.0`, 'ip', ['-o', 'link', 'show'])).not.toContain('eth1');
    expect((await run('-q', 'bridge-show', 'virbr1')).stdout).toMatch(/\t\tvnet2\n$/);
    expect(await run('detach-interface', 'centos7.0', 'network', '--mac', attachedMac)).toEqual({
      stdout: '\n',
      stderr: `error: No interface with MAC address ${attachedMac} was found\nerror: Failed to detach interface\n`,
      rc: 1,
    });
  }, 60_000);
});
