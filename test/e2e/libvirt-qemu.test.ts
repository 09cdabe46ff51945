/**
 * A real QEMU guest on a virtnet network, started by libvirt's own QEMU
 * driver: Debian's virt-qemu-run (the driver virtqemud is made of, embedded
 * in one process; Debian 12 ships no virtqemud) opens network:///system for
 * the guest's <interface type='network'>, which reaches virtnetd's libvirt
 * socket (test/e2e/qemu-embed.sh). The driver asks virtnetd for a port,
 * plugs QEMU's tap into the bridge it names, the guest (test/e2e/vm-image.sh:
 * Debian's kernel, a busybox initramfs) takes its DHCP lease from virtnet's
 * dnsmasq and powers off, and the driver gives the port back.
 *
 * TCG only (no usable KVM here): the guest takes tens of seconds, more on a
 * busy machine. The kernel and busybox packages are downloaded once into
 * node_modules/.cache/virtnet-vm.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_XML_DIR } from '../unit/cli-golden-harness.js';
import { hasVirsh, runClient, virsh } from '../support/libvirt-clients.js';
import { pollUntil } from '../support/poll.js';
import { removeCliBundle, virtnet, virtnetEach } from './cli-harness.js';
import { endAllDaemons, libvirtUriOf, withFreshDaemon } from './daemon-process.js';
import { canUseNetns } from './netns.js';

const repo = join(import.meta.dirname, '..', '..');
const IMAGE = join(repo, 'node_modules', '.cache', 'virtnet-vm');
const QEMU_DRIVER = '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so';
const ready =
  canUseNetns() &&
  hasVirsh() &&
  ['/usr/bin/virt-qemu-run', '/usr/bin/qemu-system-x86_64', QEMU_DRIVER, '/usr/bin/unshare'].every((p) => existsSync(p));

const domainXml = (dir: string): string => `<domain type='qemu'>
  <name>rpcvm</name>
  <memory unit='MiB'>160</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${IMAGE}/vmlinuz</kernel>
    <initrd>${IMAGE}/initramfs.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'>
      <source network='nat'/>
      <mac address='52:54:00:00:00:01'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='${dir}/console.log'/>
      <target port='0'/>
    </serial>
  </devices>
</domain>
`;

describe.skipIf(!ready)("libvirt's QEMU driver with virtnet as its network driver", () => {
  afterAll(async () => {
    await endAllDaemons();
    removeCliBundle();
  });

  it('plugs a real QEMU guest into a virtnet network, where it gets its DHCP lease', async () => {
    const image = await runClient('bash', [join(import.meta.dirname, 'vm-image.sh'), IMAGE], { timeoutMs: 600_000 });
    expect(image.rc, image.stderr).toBe(0);
    // dnsmasq reads its hosts file after dropping to 'nobody': the root must be traversable (open), or the static host is ignored.
    await withFreshDaemon(
      'qe',
      ['--log-level', 'warn'],
      async ({ ns, root, daemon, env }) => {
        let runner: ChildProcess | undefined;
        try {
          const uri = await libvirtUriOf(daemon);
          await virtnetEach(
            [
              ['net-define', 'nat.xml'],
              ['net-start', 'nat'],
            ],
            { cwd: GOLDEN_XML_DIR, env },
          );
          const xml = join(root, 'rpcvm.xml');
          writeFileSync(xml, domainXml(root));

          // virt-qemu-run stays up after its guest powers off: it is told to stop (SIGINT, its Ctrl-C) once the guest is done.
          const child = spawn(join(import.meta.dirname, 'qemu-embed.sh'), [ns, root, join(root, 'qemu'), xml, '600'], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          runner = child;
          let output = '';
          child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
          child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
          const ended = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
          const consoleText = (): string => (existsSync(join(root, 'console.log')) ? readFileSync(join(root, 'console.log'), 'utf8') : '');
          // While the guest runs, the QEMU driver holds a port of the network, owned by the guest.
          let port = '';
          for (let i = 0; i < 600 && port === ''; i++) {
            port = (await virsh(uri, ['net-port-list', 'nat', '--uuid'])).stdout.trim();
            if (port === '') await new Promise((r) => setTimeout(r, 500));
          }
          expect(port).toMatch(/^[0-9a-f-]{36}$/);
          const portXml = (await virsh(uri, ['net-port-dumpxml', 'nat', port])).stdout;
          expect(portXml).toContain('<name>rpcvm</name>');
          expect(portXml).toContain("<mac address='52:54:00:00:00:01'/>");
          expect(portXml).toContain("<plug type='network' bridge='virbr0'/>");

          await pollUntil(() => /GUEST DONE/.test(consoleText()) || child.exitCode !== null, {
            ms: 600_000,
            everyMs: 500,
            what: 'the guest to finish',
          });
          const text = consoleText();
          expect(text, output).toContain('LEASE eth0 ip=192.168.120.10 router=192.168.120.1');
          expect(text).toContain('GUEST DONE');
          // The guest powered off: the QEMU driver stops it and gives its port back.
          await pollUntil(async () => (await virsh(uri, ['net-port-list', 'nat', '--uuid'])).stdout.trim() === '', {
            ms: 60_000,
            everyMs: 500,
            what: 'the port to be released',
          });
          child.kill('SIGINT');
          expect(await ended, output).toBe(0);

          // virtnet's side: the lease.
          const leases = await virtnet(['net-dhcp-leases', 'nat'], { env });
          expect(leases.stdout).toMatch(/52:54:00:00:00:01\s+ipv4\s+192\.168\.120\.10\/24\s+vm1/);
        } finally {
          if (runner && runner.exitCode === null) {
            runner.kill('SIGKILL');
          }
        }
      },
      { open: true },
    );
  }, 900_000);
});
