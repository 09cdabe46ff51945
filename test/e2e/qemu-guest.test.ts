/**
 * A real VM on a virtnet network, as the README's "A real VM" section runs
 * one: virtnetd in sandbox mode, a NAT network with a static DHCP host, a
 * `tap` guest whose tap keeps its name (`<target dev='vm1nat'/>`), and QEMU
 * started in the sandbox's namespace on that tap (no vhost=on: this machine
 * has no /dev/vhost-net). The guest (test/e2e/vm-image.sh: Debian's kernel,
 * virtio-net, busybox's own DHCP client) applies its lease, then looks names
 * up and pings through NAT, and prints what it saw on its serial console.
 *
 * Runs where QEMU is installed (CI installs it; a skip there fails the run).
 * TCG only: the guest takes tens of seconds, more on a busy machine. The
 * kernel and busybox packages are downloaded once into
 * node_modules/.cache/virtnet-vm.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ADDRESSES, SANDBOX_LAN, sandboxNames } from '../../src/api/sandbox.js';
import { guestReportLines } from '../support/guest-console.js';
import { runClient } from '../support/libvirt-clients.js';
import { natXml } from '../support/network-testkit.js';
import { removeCliBundle, virtnet, virtnetEach } from './cli-harness.js';
import { endAllDaemons, spawnDaemon, startServing } from './daemon-process.js';
import { canUseNetns } from './netns.js';
import { have } from './runtime-fixture.js';

const repo = join(import.meta.dirname, '..', '..');
const IMAGE = join(repo, 'node_modules', '.cache', 'virtnet-vm');
const QEMU = '/usr/bin/qemu-system-x86_64';
const ready = canUseNetns() && existsSync(QEMU) && have('dnsmasq');

const MAC = '52:54:00:00:00:01';
const NAT = natXml('nat', '192.168.120', { hosts: [{ mac: MAC, name: 'vm1', ip: '192.168.120.10' }] });
const VM = `<domain type='tap'>
  <name>vm1</name>
  <devices>
    <interface type='network'>
      <source network='nat'/>
      <mac address='${MAC}'/>
      <target dev='vm1nat'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
`;

describe.skipIf(!ready)('a real QEMU guest on a NAT network of a sandboxed virtnetd', () => {
  let root: string;
  let env: Record<string, string>;
  let qemu: ChildProcess | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'vnt-qemu-'));
    const d = await startServing(['--sandbox', '--root', root, '--no-default-network']);
    env = { VIRTNET_DEFAULT_URI: `unix://${d.socket}` };
  }, 60_000);
  afterAll(async () => {
    if (qemu && qemu.exitCode === null) qemu.kill('SIGKILL');
    await endAllDaemons();
    const cleanup = await spawnDaemon(['--sandbox-cleanup', '--root', root]);
    await cleanup.exited;
    removeCliBundle();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('takes its static lease, route and DNS from dnsmasq, resolves names at once and reaches the outside through NAT', async () => {
    const image = await runClient('bash', [join(import.meta.dirname, 'vm-image.sh'), IMAGE], { timeoutMs: 600_000 });
    expect(image.rc, image.stderr).toBe(0);
    writeFileSync(join(root, 'nat.xml'), NAT);
    writeFileSync(join(root, 'vm1.xml'), VM);
    await virtnetEach(
      [
        ['net-define', 'nat.xml'],
        ['net-start', 'nat'],
        ['define', 'vm1.xml'],
        ['start', 'vm1'],
      ],
      { cwd: root, env },
    );
    expect((await virtnet(['domiflist', 'vm1'], { env })).stdout).toContain(` vm1nat      network   nat      virtio   ${MAC}\n`);

    // The README's qemu line, under TCG and with the tiny image instead of a disk.
    const consoleLog = join(root, 'console.log');
    const checks = `vn.lookup=vm1,${SANDBOX_LAN.outsideName},nosuch.invalid vn.ping=${SANDBOX_ADDRESSES.gateway4}`;
    // biome-ignore format: one QEMU option per line
    const args = [
      '-k', '5', '300', 'ip', 'netns', 'exec', sandboxNames(root).netns,
      QEMU, '-accel', 'tcg', '-m', '160', '-smp', '1', '-nographic', '-nodefaults', '-no-reboot',
      '-serial', `file:${consoleLog}`,
      '-kernel', join(IMAGE, 'vmlinuz'), '-initrd', join(IMAGE, 'initramfs.gz'),
      '-append', `console=ttyS0 quiet panic=-1 ${checks}`,
      '-netdev', 'tap,id=n0,ifname=vm1nat,script=no,downscript=no',
      '-device', `virtio-net-pci,id=nic0,netdev=n0,mac=${MAC}`,
    ];
    qemu = spawn('timeout', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    qemu.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
    qemu.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
    const rc = await new Promise<number | null>((r) => qemu?.once('exit', (code) => r(code)));
    const text = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8').replace(/\r/g, '') : '';
    expect(rc, `qemu: ${output}\nconsole:\n${text}`).toBe(0);

    const seen = guestReportLines(text);
    expect(seen, text).toEqual([
      `NIC eth0 mac=${MAC}`,
      'LEASE eth0 ip=192.168.120.10 router=192.168.120.1 dns=192.168.120.1',
      'ROUTE default via 192.168.120.1 dev eth0 ',
      // dnsmasq holds the guest's own name; the outside's comes from the sandbox's uplink DNS;
      // an unknown name is NXDOMAIN (forwarded to a resolver the sandbox cannot reach, it timed out).
      'LOOKUP vm1 192.168.120.10',
      `LOOKUP ${SANDBOX_LAN.outsideName} ${SANDBOX_ADDRESSES.gateway4}`,
      'LOOKUP nosuch.invalid NXDOMAIN',
      `PING ${SANDBOX_ADDRESSES.gateway4} ok`,
      'GUEST DONE',
    ]);

    // virtnet's side of the same lease.
    expect((await virtnet(['net-dhcp-leases', 'nat'], { env })).stdout).toMatch(/ 52:54:00:00:00:01 +ipv4 +192\.168\.120\.10\/24 +vm1 /);
    expect((await virtnet(['domifaddr', 'vm1'], { env })).stdout).toContain(` vm1nat     ${MAC}    ipv4         192.168.120.10/24\n`);
  }, 900_000);
});
