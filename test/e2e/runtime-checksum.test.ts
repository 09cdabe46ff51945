/**
 * DHCP reply checksums, the runtime's choice proven with real clients
 * (busybox udhcpc and Debian's dhclient) on three kinds of guest port:
 *
 * - a veth (containers, the `netns` guests): the kernel's "checksum not
 *   ready" flag reaches the client;
 * - a tap with checksum offload whose frames reach the guest without the
 *   flag (a hypervisor NIC that drops it): the client checks the checksum
 *   as it is on the wire;
 * - a tap without checksum offload (an emulated e1000/rtl8139 NIC): the
 *   kernel completes the checksum in software on the way out.
 *
 * libvirt fixes the checksum with tc act_csum, which this kernel lacks. The
 * runtime's default turns the bridge's transmit checksum offload off
 * (ethtool), so dnsmasq's replies leave with a full, valid checksum, and all
 * three ports get a lease. The two alternatives each lose one kind of port:
 * doing nothing loses the flag-dropping tap, and zeroing the checksum in
 * nftables loses the tap without offload. The tap relay stands in for a
 * hypervisor (tap-relay.ts).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { createLinuxRuntime, type AppliedNetwork } from '../../src/driver/runtime/index.js';
import type { DhcpChecksumMode } from '../../src/plan/network-plan.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';
import { dhcp, have, ipn, makeRoot, plugGuest } from './runtime-fixture.js';
import { dhclientOnce, startTapRelay } from './tap-relay.js';

const missing = ['dnsmasq', 'busybox', 'dhclient', 'python3', 'ethtool', 'nft'].filter((t) => !have(t));
const ready = canUseNetns() && missing.length === 0;
if (canUseNetns() && missing.length > 0) console.warn(`DHCP checksum e2e tests skipped: missing ${missing.join(', ')}`);

const MACS = { veth: '52:54:00:82:00:01', tapOn: '52:54:00:82:00:02', tapOff: '52:54:00:82:00:03' } as const;
const XML = `<network><name>csum</name><forward mode='nat'/><bridge name='vntc0' stp='off'/>
  <ip address='10.82.0.1' prefix='24'><dhcp><range start='10.82.0.100' end='10.82.0.150'/>
    <host mac='${MACS.veth}' ip='10.82.0.11'/><host mac='${MACS.tapOn}' ip='10.82.0.12'/><host mac='${MACS.tapOff}' ip='10.82.0.13'/>
  </dhcp></ip></network>`;

type Port = keyof typeof MACS;

describe.skipIf(!ready)('DHCP reply checksums with real clients', () => {
  let host = '';
  const guests: Record<Port, string> = { veth: '', tapOn: '', tapOff: '' };
  const relays: ChildProcess[] = [];
  const root = makeRoot('rt-csum');
  let dir = '';

  /** Debian's dhclient, one attempt of at most 4 s. */
  const dhclient = (ns: string): boolean => dhclientOnce(ns, dir, 4);

  /** Start the network with one checksum mode, ask each port for a lease with both clients, stop it. */
  type Outcome = Record<Port, { udhcpc: boolean; dhclient: boolean }> & { txChecksum: string };
  async function leasesWith(mode: DhcpChecksumMode): Promise<Outcome> {
    const rt = await createLinuxRuntime({ netns: host, paths: root.paths, dhcpChecksum: mode });
    const def = parseNetworkXml(XML);
    let applied: AppliedNetwork | undefined;
    try {
      applied = await rt.start(def, { otherActive: [] });
      const features = inNetns(host, 'ethtool', ['-k', 'vntc0']);
      // The bridge exists again: plug the ports back in.
      ipn(host, 'link', 'set', 'vcv', 'master', 'vntc0');
      ipn(host, 'link', 'set', 'vtapon', 'master', 'vntc0', 'up');
      ipn(host, 'link', 'set', 'vtapoff', 'master', 'vntc0', 'up');
      const out = { txChecksum: /^tx-checksumming: (\w+)/m.exec(features)?.[1] ?? '?' } as Outcome;
      for (const port of Object.keys(MACS) as Port[]) {
        const lease = dhcp(guests[port], undefined, 4);
        out[port] = { udhcpc: lease?.ip === `10.82.0.1${Object.keys(MACS).indexOf(port) + 1}`, dhclient: dhclient(guests[port]) };
      }
      return out;
    } finally {
      if (applied) await rt.stop(def, applied);
      rt.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vnt-rt-dhclient-'));
    host = createNetns('rtch');
    // A placeholder bridge to plug the ports into until the network's own bridge exists.
    ipn(host, 'link', 'add', 'vntc0', 'type', 'bridge');
    guests.veth = plugGuest(host, 'rtcv', 'vntc0', 'vcv', MACS.veth);
    for (const [port, tapName, offload] of [
      ['tapOn', 'vtapon', 'on'],
      ['tapOff', 'vtapoff', 'off'],
    ] as const) {
      guests[port] = createNetns(`rtc${offload}`);
      relays.push(await startTapRelay(host, tapName, guests[port], offload));
      ipn(guests[port], 'link', 'set', 'eth0', 'address', MACS[port]);
      ipn(guests[port], 'link', 'set', 'eth0', 'up');
    }
    ipn(host, 'link', 'del', 'vntc0');
  }, 30_000);

  afterAll(() => {
    for (const r of relays) if (r.exitCode === null) r.kill('SIGKILL');
    for (const ns of [host, ...Object.values(guests)]) if (ns) deleteNetns(ns);
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const ns of [host, ...Object.values(guests)]) if (ns) expect(list).not.toContain(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
    root.remove();
  });

  it("the runtime's default (bridge transmit checksum offload off): every port gets its lease from both clients", async () => {
    const all = { udhcpc: true, dhclient: true };
    expect(await leasesWith('bridge-tx-off')).toEqual({ txChecksum: 'off', veth: all, tapOn: all, tapOff: all });
  }, 90_000);

  it('doing nothing loses the tap that drops the flag; zeroing the checksum in nftables loses the tap without offload', async () => {
    const ok = { udhcpc: true, dhclient: true };
    const lost = { udhcpc: false, dhclient: false };
    expect(await leasesWith('none')).toEqual({ txChecksum: 'on', veth: ok, tapOn: lost, tapOff: ok });
    expect(await leasesWith('nft-zero')).toEqual({ txChecksum: 'on', veth: ok, tapOn: ok, tapOff: lost });
  }, 120_000);
});
