/**
 * Past libvirt's wall: libvirt 9.0 cannot start a 129th network with DHCP
 * on a host with the default fs.inotify.max_user_instances (128), because
 * each of its dnsmasq processes watches resolv.conf with an inotify
 * instance. The runtime's dnsmasq reads the upstream servers from a servers
 * file instead and takes none, so 140 NAT networks with DHCP start here,
 * the last one serves a real client, and stopping them all leaves nothing.
 * (bench/runtime-scale.mjs does the same with 1000.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { createLinuxRuntime, type LinuxRuntime, type AppliedNetwork, type LinuxApplied } from '../../src/driver/runtime/index.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';
import { dhcp, have, inotifyInstances, ipn, makeRoot, pidsIn, plugGuest } from './runtime-fixture.js';

const COUNT = 140;
const missing = ['dnsmasq', 'busybox', 'nft'].filter((t) => !have(t));
const ready = canUseNetns() && missing.length === 0;

describe.skipIf(!ready)(`${COUNT} NAT networks with DHCP, past the inotify limit`, () => {
  let host = '';
  let guest = '';
  const root = makeRoot('rt-scale');
  let rt: LinuxRuntime;
  const started: { def: NetworkDef; applied: AppliedNetwork }[] = [];

  beforeAll(async () => {
    host = createNetns('rts');
    rt = await createLinuxRuntime({ netns: host, paths: root.paths, firewallLingerMs: 0 });
  });

  afterAll(async () => {
    for (const s of started.splice(0).reverse()) await rt.stop(s.def, s.applied).catch(() => {});
    rt?.close();
    for (const ns of [guest, host]) if (ns) deleteNetns(ns);
    root.remove();
  }, 60_000);

  it('start, serve the last one, and stop all of them', async () => {
    const limit = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
    for (let i = 0; i < COUNT; i++) {
      const def = parseNetworkXml(`<network><name>s${i}</name><forward mode='nat'/><bridge name='vs${i}' stp='off'/>
        <ip address='10.84.${i}.1' prefix='24'><dhcp><range start='10.84.${i}.10' end='10.84.${i}.20'/></dhcp></ip></network>`);
      const applied = await rt.start(def, { otherActive: started.map((s) => s.def) });
      started.push({ def, applied });
    }
    const pids = started.map((s) => (s.applied as LinuxApplied).dnsmasq!.pid);
    expect(new Set(pids).size).toBe(COUNT);
    expect(pids.every((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'dnsmasq')).toBe(true);
    expect(pids.reduce((n, p) => n + inotifyInstances(p), 0)).toBe(0);
    if (limit <= 128) expect(COUNT).toBeGreaterThan(limit);

    guest = plugGuest(host, 'rtsg', `vs${COUNT - 1}`, 'vsg');
    expect(dhcp(guest)?.ip).toMatch(new RegExp(`^10\\.84\\.${COUNT - 1}\\.`));

    for (const s of started.splice(0).reverse()) await rt.stop(s.def, s.applied);
    expect(pidsIn(host).filter((p) => pids.includes(p))).toEqual([]);
    expect(ipn(host, '-br', 'link', 'show', 'type', 'bridge')).toBe('');
    expect(inNetns(host, 'nft', ['list', 'ruleset'])).toBe('');
    expect(readdirSync(root.paths.networkStatusDir)).toEqual([]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).toContain(host);
  }, 120_000);
});
