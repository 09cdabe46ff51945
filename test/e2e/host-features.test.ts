/**
 * Kernel feature detection through LinuxHost inside a test namespace. The
 * expected answer for each link type is found independently, by trying
 * `ip link add` through the fixture, so the test holds on any kernel; the
 * probes must leave nothing behind.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canUseNetns, inNetns } from './netns.js';
import { hostSite } from './host-site.js';

const root = canUseNetns();

/** Whether `ip link add … type KIND ARGS` works in `ns` (the link is removed again). */
function kernelAccepts(ns: string, kind: string, args: string[] = []): boolean {
  const r = spawnSync('ip', ['-n', ns, 'link', 'add', 'name', 'chk0', 'type', kind, ...args], { encoding: 'utf8' });
  spawnSync('ip', ['-n', ns, 'link', 'del', 'dev', 'chk0']);
  return r.status === 0;
}

function linkNames(ns: string): string[] {
  return (JSON.parse(inNetns(ns, 'ip', ['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
}

describe.skipIf(!root)('LinuxHost kernel features', () => {
  const site = hostSite('hf');

  it('detects the link types the kernel supports', async () => {
    expect(await site.host.features.linkType('bridge')).toBe(true);
    expect(await site.host.features.linkType('veth')).toBe(true);
    expect(await site.host.features.linkType('tap')).toBe(true);
    expect(await site.host.features.linkType('macvlan')).toBe(true);
    expect(await site.host.features.linkType('macvtap')).toBe(true);
    expect(await site.host.features.linkType('vxlan')).toBe(kernelAccepts(site.ns, 'vxlan', ['id', '1', 'dstport', '4789']));
    expect(await site.host.features.linkType('dummy')).toBe(kernelAccepts(site.ns, 'dummy'));
    expect(await site.host.features.linkType('no_such_kind')).toBe(false);
    expect(linkNames(site.ns)).toEqual(['lo']);
  });

  it('reports a missing link type in plain words', async () => {
    await expect(site.host.features.requireLinkType('bridge')).resolves.toBeUndefined();
    await expect(site.host.features.requireLinkType('no_such_kind')).rejects.toThrow(
      "unsupported configuration: this kernel does not support link type 'no_such_kind'",
    );
    if (!kernelAccepts(site.ns, 'dummy')) {
      await expect(site.host.features.requireLinkType('dummy')).rejects.toThrow("this kernel does not support link type 'dummy'");
    }
  });

  it('detects bridge VLAN filtering, tc actions, nftables and IPv6 as the kernel has them', async () => {
    inNetns(site.ns, 'ip', ['link', 'add', 'name', 'chkbr', 'type', 'bridge']);
    const vlan = spawnSync('ip', ['-n', site.ns, 'link', 'set', 'dev', 'chkbr', 'type', 'bridge', 'vlan_filtering', '1']).status === 0;
    inNetns(site.ns, 'ip', ['link', 'del', 'dev', 'chkbr']);
    expect(await site.host.features.bridgeVlanFiltering()).toBe(vlan);

    const csum = spawnSync('tc', ['-n', site.ns, 'actions', 'add', 'action', 'csum', 'udp', 'index', '77']).status === 0;
    spawnSync('tc', ['-n', site.ns, 'actions', 'del', 'action', 'csum', 'index', '77']);
    expect(await site.host.features.tcAction('csum')).toBe(csum);

    expect(await site.host.features.nftables()).toBe(true);
    expect(await site.host.features.ipv6()).toBe(true);
    expect(linkNames(site.ns)).toEqual(['lo']);
  });

  it('reports a macvlan on a missing parent as a system error, not as a missing feature', async () => {
    const err = await site.host.links
      .apply([{ op: 'createMacvlan', kind: 'macvlan', name: 'mv0', parent: 'nosuch0', mode: 'bridge' }])
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^error creating macvlan interface mv0@nosuch0: /);
  });
});
