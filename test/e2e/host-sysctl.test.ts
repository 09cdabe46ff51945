/**
 * Sysctls through LinuxHost: written only inside the bound namespace (the
 * host's own values stay as they were), read back, and a missing key (no such
 * device) reported as absent rather than as an error.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ipv6ConfKey } from '../../src/host/sysctl.js';
import { canUseNetns, inNetns } from './netns.js';
import { hostSite } from './host-site.js';

const root = canUseNetns();

describe.skipIf(!root)('LinuxHost sysctls in a namespace', () => {
  const site = hostSite('hs');

  beforeAll(() => {
    inNetns(site.ns, 'ip', ['link', 'add', 'name', 'vbr0', 'type', 'bridge']);
  });

  it('writes ip_forward and IPv6 forwarding inside the namespace only', async () => {
    const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const hostV6Forward = readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8');
    const nsValue = inNetns(site.ns, 'cat', ['/proc/sys/net/ipv4/ip_forward']).trim();
    const target = nsValue === '1' ? '0' : '1';

    expect(await site.host.sysctl.write('net.ipv4.ip_forward', target)).toBe(true);
    expect(await site.host.sysctl.write('net.ipv6.conf.all.forwarding', '1')).toBe(true);

    expect(inNetns(site.ns, 'cat', ['/proc/sys/net/ipv4/ip_forward']).trim()).toBe(target);
    expect(await site.host.sysctl.read('net.ipv4.ip_forward')).toBe(target);
    expect(await site.host.sysctl.read(['net', 'ipv6', 'conf', 'all', 'forwarding'])).toBe('1');
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostForward);
    expect(readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8')).toBe(hostV6Forward);
  });

  it("sets a bridge's IPv6 knobs as libvirt does and reads several keys at once", async () => {
    const present = await site.host.sysctl.writeMany([
      { key: ipv6ConfKey('vbr0', 'disable_ipv6'), value: '1' },
      { key: ipv6ConfKey('vbr0', 'accept_ra'), value: '0' },
      { key: ipv6ConfKey('vbr0', 'autoconf'), value: '0' },
    ]);
    expect(present).toEqual([true, true, true]);
    expect(
      await site.host.sysctl.readMany([
        ipv6ConfKey('vbr0', 'disable_ipv6'),
        ipv6ConfKey('vbr0', 'accept_ra'),
        ipv6ConfKey('vbr0', 'autoconf'),
        'net.ipv4.conf.vbr0.forwarding',
      ]),
    ).toEqual(['1', '0', '0', expect.stringMatching(/^[01]$/)]);
    expect(inNetns(site.ns, 'cat', ['/proc/sys/net/ipv6/conf/vbr0/accept_ra']).trim()).toBe('0');
  });

  it('reports a missing key as absent, not as an error, while writing the others', async () => {
    expect(await site.host.sysctl.read(ipv6ConfKey('nosuch0', 'accept_ra'))).toBeUndefined();
    expect(await site.host.sysctl.write(ipv6ConfKey('nosuch0', 'disable_ipv6'), '1')).toBe(false);
    const present = await site.host.sysctl.writeMany([
      { key: ipv6ConfKey('nosuch0', 'autoconf'), value: '0' },
      { key: ipv6ConfKey('vbr0', 'disable_ipv6'), value: '0' },
    ]);
    expect(present).toEqual([false, true]);
    expect(await site.host.sysctl.read(ipv6ConfKey('vbr0', 'disable_ipv6'))).toBe('0');
  });

  it('turns a rejected value into an error naming the file', async () => {
    await expect(site.host.sysctl.write('net.ipv4.ip_forward', 'abc')).rejects.toThrow(
      "cannot write to '/proc/sys/net/ipv4/ip_forward': Invalid argument",
    );
  });

  it('refuses sysctls outside net.*, which are not per namespace', async () => {
    await expect(site.host.sysctl.write('kernel.hostname', 'x')).rejects.toThrow("refusing to touch non-network sysctl 'kernel.hostname'");
    await expect(site.host.sysctl.read(['net', '..', 'kernel', 'hostname'])).rejects.toThrow('invalid sysctl key');
  });
});
