/**
 * A private --root (mode 0700, as `mktemp -d` makes it): dnsmasq's usual
 * user cannot reach the files under it, yet static DHCP hosts and DNS hosts
 * work (dnsmasq keeps root there), and a real DHCP client in a netns guest
 * (guest-exec's `dhcp`) gets its fixed address, applied. When dnsmasq does
 * log an error about its files (forced here by making it drop to nobody),
 * the start fails with dnsmasq's words, and its log reaches the caller's.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { virtnetPaths } from '../../src/driver/common/paths.js';
import { createLinuxRuntime } from '../../src/driver/runtime/index.js';
import type { DnsmasqLogLine } from '../../src/driver/runtime/dnsmasq-log.js';
import { guestXml } from '../support/guest-testkit.js';
import { natXml } from '../support/network-testkit.js';
import { daemonSite, startServing } from './daemon-process.js';
import { canUseNetns, inNetns } from './netns.js';
import { have } from './runtime-fixture.js';

const ready = canUseNetns() && have('dnsmasq') && have('busybox');

const NAT = natXml('nat', '192.168.120', {
  extra: "  <domain name='example.lan'/>\n  <dns><host ip='192.168.120.50'><hostname>dnshost</hostname></host></dns>\n",
  hosts: [{ mac: '52:54:00:00:00:01', name: 'vm1', ip: '192.168.120.10' }],
});

describe.skipIf(!ready)('a private --root (0700)', () => {
  const site = daemonSite('prv');

  it('serves static DHCP hosts and DNS hosts: a real DHCP client gets its fixed address', async () => {
    expect(statSync(site.dir).mode & 0o777).toBe(0o700);
    const d = await startServing(['--root', site.dir, '--netns', site.ns]);
    const c = await connect({ uri: `unix://${d.socket}` });
    site.clients.push(c);
    await c.define(NAT);
    await c.start('nat');
    await c.guestDefine(guestXml('vm1', { nics: ['network:nat@52:54:00:00:00:01'] }));
    await c.guestStart('vm1');
    const lease = await c.guestExec('vm1', ['dhcp', 'eth0']);
    expect(lease).toEqual({ exitCode: 0, stdout: 'eth0: 192.168.120.10/24 router 192.168.120.1 dns 192.168.120.1 domain example.lan\n', stderr: '' });
    expect((await c.guestExec('vm1', ['ip', '-4', '-o', 'route', 'show', 'default'])).stdout).toMatch(/^default via 192\.168\.120\.1 dev eth0/);
    const dns = await c.guestExec('vm1', ['busybox', 'nslookup', '-type=a', 'dnshost', '192.168.120.1']);
    expect(dns.stdout).toMatch(/Name:\s+dnshost\nAddress: 192\.168\.120\.50\n/);
    expect((await c.leases('nat')).map((l) => [l.ipAddress, l.hostname])).toEqual([['192.168.120.10', 'vm1']]);
    expect(statSync(site.dir).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('a dnsmasq that cannot read its files fails the start with its own words, and its log reaches the caller', async () => {
    const root = join(site.dir, 'forced');
    const paths = virtnetPaths(root);
    const lines: [string, DnsmasqLogLine][] = [];
    const rt = await createLinuxRuntime({ netns: site.ns, paths, dnsmasqUser: 'nobody', onDnsmasqLog: (n, l) => lines.push([n, l]) });
    try {
      const def = parseNetworkXml(
        NAT.replace('<name>nat</name>', "<name>forced</name>\n  <bridge name='vnforced0'/>").replaceAll('192.168.120.', '192.168.121.'),
      );
      const err = await rt.start(def, { otherActive: [] }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      // The servers file is read at about the same time; its line may or may not be in yet.
      expect(
        err?.message.startsWith(
          `internal error: dnsmasq of network 'forced': failed to load names from ${paths.dnsmasqDir}/forced.addnhosts: Permission denied; cannot read ${paths.dnsmasqDir}/forced.hostsfile: Permission denied`,
        ),
        err?.message,
      ).toBe(true);
      expect(inNetns(site.ns, 'ip', ['-o', 'link', 'show'])).not.toContain('vnforced0');
    } finally {
      rt.close();
    }
    expect(lines.filter(([, l]) => l.level === 'error').map(([n, l]) => `${n}: ${l.message}`)).toContain(
      `forced: cannot read ${paths.dnsmasqDir}/forced.hostsfile: Permission denied`,
    );
  }, 60_000);
});
