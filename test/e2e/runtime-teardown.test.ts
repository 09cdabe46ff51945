/**
 * A stop on the real kernel never lets a guest's traffic out unfiltered:
 * the network's rules go only once its bridge no longer forwards. Inside
 * namespaces this file creates and always deletes:
 *
 *   guest ──veth── [ "host" netns: an isolated and a NAT network ] ──veth── "uplink" netns (counts what arrives)
 *
 * The host's bridge deletions are held back (as when they queue behind other
 * stops' group deletion, up to ~0.3 s with 16 stops in flight) while each
 * guest sends a datagram from a new port (a new flow) every 5 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { LinuxRuntime, type AppliedNetwork } from '../../src/driver/runtime/index.js';
import type { LinkExecutor } from '../../src/host/host.js';
import { LinuxHost } from '../../src/host/linux.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';
import { have, ipn, linkUplink, makeRoot, plugGuest, until } from './runtime-fixture.js';

const missing = ['dnsmasq', 'nft'].filter((t) => !have(t));
const ready = canUseNetns() && missing.length === 0;
if (canUseNetns() && missing.length > 0) console.warn(`runtime teardown e2e test skipped: missing ${missing.join(', ')}`);

/** What the uplink received, by source: the guests' own addresses (unfiltered, un-NATed) and the host's (NATed). */
const COUNTERS = `table ip seen {
  counter guests {}
  counter natted {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    ip saddr 10.83.0.0/16 counter name "guests"
    ip saddr 192.0.2.1 udp dport 9 counter name "natted"
  }
}
`;

const SENDER = `
const dgram = require('dgram');
setInterval(() => {
  const s = dgram.createSocket('udp4');
  s.send('x', 9, '192.0.2.2', () => s.close());
}, 5);
`;

// With their MACs, as a definition gets them: a bridge without one takes its port's, and the guest's frames
// to that MAC would still be the host's after the bridge is gone (the port left alone in the host's namespace).
const NETWORKS = [
  `<network><name>iso</name><bridge name='vtd0' stp='off'/><mac address='52:54:00:83:01:01'/><ip address='10.83.1.1' prefix='24'/></network>`,
  `<network><name>nat</name><forward mode='nat'/><bridge name='vtd1' stp='off'/><mac address='52:54:00:83:02:01'/><ip address='10.83.2.1' prefix='24'/></network>`,
];

describe.skipIf(!ready)('a stop on the real kernel', () => {
  let host = '';
  let uplink = '';
  const guests: string[] = [];
  const senders: ChildProcess[] = [];
  const root = makeRoot('rt-td');
  let rt: LinuxRuntime | undefined;
  let releaseDeletions: () => void = () => {};

  beforeAll(async () => {
    host = createNetns('tdh');
    uplink = createNetns('tdu');
    linkUplink(host, uplink);
    inNetns(uplink, 'nft', ['-f', '-'], COUNTERS);
    const linuxHost = await LinuxHost.open({ netns: host, jobDir: root.paths.jobDir });
    // Bridge deletions wait for releaseDeletions(): the window in which the rules used to be gone already.
    const real = linuxHost.links;
    const held = new Promise<void>((resolve) => (releaseDeletions = resolve));
    const links: LinkExecutor = {
      apply: (ops) => real.apply(ops),
      revert: (undo) => real.revert(undo),
      deleteLinks: async (names) => {
        await held;
        return real.deleteLinks(names);
      },
      watchClosing: (onClosed) => real.watchClosing!(onClosed),
    };
    Object.assign(linuxHost, { links });
    rt = new LinuxRuntime({ host: linuxHost, paths: root.paths, resolvConf: '', firewallLingerMs: 0 });
  }, 30_000);

  afterAll(async () => {
    releaseDeletions();
    for (const s of senders) s.kill('SIGKILL');
    await rt?.close();
    for (const ns of [host, uplink, ...guests]) if (ns) deleteNetns(ns);
    root.remove();
  });

  const counted = (name: string): number => {
    const out = JSON.parse(inNetns(uplink, 'nft', ['-j', 'list', 'counter', 'ip', 'seen', name])) as {
      nftables: { counter?: { packets: number } }[];
    };
    return out.nftables.find((o) => o.counter)?.counter?.packets ?? 0;
  };

  it('lets no guest traffic out while the bridges wait for their deletion: the rules stay until then', async () => {
    const started: { def: ReturnType<typeof parseNetworkXml>; applied: AppliedNetwork }[] = [];
    for (const xml of NETWORKS) {
      const def = parseNetworkXml(xml);
      started.push({ def, applied: await rt!.start(def, { otherActive: started.map((s) => s.def) }) });
    }
    for (const [i, bridge] of ['vtd0', 'vtd1'].entries()) {
      const g = plugGuest(host, `tdg${i}`, bridge, `vtdp${i}`);
      guests.push(g);
      ipn(g, 'addr', 'add', `10.83.${i + 1}.5/24`, 'dev', 'eth0');
      ipn(g, 'route', 'add', 'default', 'via', `10.83.${i + 1}.1`);
      senders.push(spawn('ip', ['netns', 'exec', g, process.execPath, '-e', SENDER], { stdio: 'ignore' }));
    }
    // The setup can see a leak: the NAT network's datagrams arrive (NATed), and none from a guest's own address.
    await until(() => counted('natted') > 20, 10_000, 'NATed datagrams at the uplink');
    expect(counted('guests')).toBe(0);

    const stops = Promise.all(started.map((s) => rt!.stop(s.def, s.applied)));
    await new Promise((r) => setTimeout(r, 500));
    // Both bridges are still up, waiting for their deletion, and still filtered.
    expect(inNetns(host, 'ip', ['-br', 'link', 'show', 'type', 'bridge'])).toMatch(/vtd0[\s\S]*vtd1/);
    const natted = counted('natted');
    releaseDeletions();
    await stops;
    expect(inNetns(host, 'ip', ['-br', 'link', 'show', 'type', 'bridge']).trim()).toBe('');
    expect(counted('guests')).toBe(0);
    // The NAT network kept NATing during the wait.
    expect(counted('natted')).toBeGreaterThan(natted - 1);
  }, 60_000);
});
