/**
 * `virtnet doctor --ovn` and `virtnet ovn-host-setup` on a lab host (the
 * real CLI run inside the host's namespace): every check passes on a host
 * the lab prepared; a NIC answering ARP for br-phy and a forgotten tunnel
 * neighbour are found, each with its code and fix; ovn-host-setup repairs
 * both, and --dry-run changes nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, removeCliBundle } from './cli-harness.js';
import { startTestLab, type LabFixture } from './lab-fixture.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();

describe.skipIf(!root)('doctor --ovn and ovn-host-setup on a lab host', () => {
  let lab: LabFixture;
  let cli: string;
  const inHost = (...args: string[]): { rc: number; out: string } => inHostWith({ LC_ALL: 'C' }, ...args);
  /** The CLI on the lab's first host, under the locale `env` gives. */
  const inHostWith = (env: Record<string, string>, ...args: string[]): { rc: number; out: string } => {
    const h = lab.layout.hosts[0]!;
    const r = spawnSync('ip', ['netns', 'exec', h.netns, process.execPath, cli, ...args, '--ovs-db', h.ovsDb, '--ovs-rundir', h.ovs.run], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, ...env },
    });
    return { rc: r.status ?? -1, out: r.stdout + r.stderr };
  };

  beforeAll(async () => {
    [lab, cli] = await Promise.all([startTestLab('host', 2, { daemons: false }), cliBundle()]);
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    removeCliBundle();
  });

  it('passes every check on a host the lab prepared', () => {
    const r = inHost('doctor', '--ovn');
    expect(r.out).toContain('10 ok, 0 warnings, 0 failed, 0 skipped');
    expect(r.out).toMatch(/\[ok {2}\] OVN-TUNNEL-NEIGH +tunnel neighbours: 1 peer known: 192\.0\.2\.12/);
    expect(r.rc).toBe(0);
    const es = inHostWith({ LC_ALL: '', LANG: 'es_ES.UTF-8' }, 'doctor', '--ovn');
    expect(es.out).toMatch(/^OVN en este equipo:\n/);
    expect(es.out).toMatch(/\[bien\s*\] OVN-TUNNEL-NEIGH +vecinos de túnel: 1 par conocido: 192\.0\.2\.12/);
    expect(es.out).toContain('10 bien, 0 avisos, 0 fallidas, 0 omitidas');
  });

  it('finds a NIC answering ARP for br-phy and a missing tunnel neighbour, with their fixes', () => {
    const h = lab.layout.hosts[0]!;
    execFileSync('ip', ['netns', 'exec', h.netns, 'sysctl', '-qw', 'net.ipv4.conf.eth0.arp_ignore=0']);
    execFileSync('ovs-appctl', ['-t', 'ovs-vswitchd', 'tnl/neigh/flush'], { env: { ...process.env, OVS_RUNDIR: h.ovs.run } });
    const r = inHost('doctor', '--ovn');
    expect(r.rc).toBe(1);
    expect(r.out).toMatch(/\[FAIL\] OVN-UNDERLAY +underlay NIC: eth0 in br-phy, arp_ignore=0/);
    expect(r.out).toMatch(/fix: sysctl -w net\.ipv4\.conf\.eth0\.arp_ignore=1/);
    expect(r.out).toMatch(/\[WARN\] OVN-TUNNEL-NEIGH +tunnel neighbours: no neighbour entry for 192\.0\.2\.12/);
    expect(r.out).toContain('8 ok, 1 warnings, 1 failed, 0 skipped');
  });

  it('ovn-host-setup --dry-run changes nothing; ovn-host-setup repairs both', () => {
    const args = [
      'ovn-host-setup',
      '--encap-ip',
      '192.0.2.11/24',
      '--remote',
      'tcp:192.0.2.2:6642',
      '--underlay-nic',
      'eth0',
      '--bridge-mappings',
      'uplink:br-ext:ext0',
    ];
    const dry = inHost(...args, '--dry-run');
    expect(dry.rc).toBe(0);
    expect(dry.out).toContain('would set: overlay MTU 1442 (underlay 1500 - 58)');
    const dryEs = inHostWith({ LC_ALL: '', LANG: 'es_ES.UTF-8' }, ...args, '--dry-run');
    expect(dryEs.out).toContain('se pondría: MTU de la red superpuesta 1442 (red subyacente 1500 - 58)\n');
    expect(dryEs.out).toContain("se pondría: red física 'uplink' en br-ext (puerto ext0)\n");
    expect(inHost('doctor', '--ovn').rc).toBe(1);
    const r = inHost(...args);
    expect(r.rc).toBe(0);
    expect(r.out).toMatch(/tunnel neighbours seeded: 192\.0\.2\.12=([0-9a-f]{2}:){5}[0-9a-f]{2}/);
    expect(r.out).toContain("host ready for OVN as chassis 'h1'");
    expect(inHost('doctor', '--ovn').out).toContain('10 ok, 0 warnings, 0 failed, 0 skipped');
  });
});
