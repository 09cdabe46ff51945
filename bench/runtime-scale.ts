/**
 * Scale benchmark of the Linux runtime (not a test): start N NAT networks
 * with DHCP (default 1000) in a fresh network namespace on a host with its
 * default kernel limits, as the driver would (each start sees the others as
 * active), then prove the last one serves DHCP to a real client, measure
 * dnsmasq's inotify use and memory, and stop them all. libvirt 9.0 stops at
 * the 129th such network: each of its dnsmasq processes takes an inotify
 * instance and fs.inotify.max_user_instances is 128.
 *
 *   node bench/runtime-scale.mjs [--networks N] [--json]
 *
 * Prints one line per phase and a summary; everything it creates (the
 * namespaces, a temporary virtnet root) is removed at the end, also on failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetworkXml } from '../src/conf/network/parse.js';
import type { NetworkDef } from '../src/conf/network/types.js';
import { createLinuxRuntime, type AppliedNetwork, type LinuxApplied } from '../src/driver/runtime/index.js';
import { virtnetPaths } from '../src/driver/common/paths.js';
import { createNetns, workloadPids } from '../test/e2e/netns.js';
import { inotifyInstances } from '../test/e2e/runtime-fixture.js';

const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--networks') + 1] ?? 1000) || 1000;
const asJson = args.includes('--json');

// Both namespaces are deleted when the process ends (test/e2e/netns.ts), also on SIGINT and SIGTERM.
const hostNs = createNetns('bench');
const guestNs = createNetns('benchg');
const root = mkdtempSync(join(tmpdir(), 'vnt-bench-'));
chmodSync(root, 0o755);
process.once('exit', () => rmSync(root, { recursive: true, force: true }));

function ip(...a: string[]): string {
  return execFileSync('ip', a, { encoding: 'utf8' });
}

const say = (s: string): void => {
  if (!asJson) console.log(s);
};

function subnet(i: number): string {
  return `10.${100 + (i >> 8)}.${i & 255}`;
}

function natXml(i: number): string {
  const s = subnet(i);
  return `<network><name>bench${i}</name><forward mode='nat'/><bridge name='vb${i}' stp='off'/>
<ip address='${s}.1' netmask='255.255.255.0'><dhcp><range start='${s}.10' end='${s}.250'/></dhcp></ip></network>`;
}

function memoryOf(pids: number[]): { rssKiB: number; pssKiB: number; anonKiB: number } {
  let rss = 0;
  let pss = 0;
  let anon = 0;
  for (const pid of pids) {
    try {
      const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
      anon += Number(/^Anonymous:\s+(\d+)/m.exec(t)?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return { rssKiB: rss, pssKiB: pss, anonKiB: anon };
}

const ms = (t0: number): number => Math.round(performance.now() - t0);
const avg = (xs: number[]): number => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;

async function main(): Promise<void> {
  const limit = readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim();
  say(`fs.inotify.max_user_instances = ${limit}; starting ${count} NAT networks with DHCP in ${hostNs}`);
  const rt = await createLinuxRuntime({ netns: hostNs, paths: virtnetPaths(root) });

  const started: { def: NetworkDef; applied: AppliedNetwork }[] = [];
  const startTimes: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const def = parseNetworkXml(natXml(i));
    const t = performance.now();
    const applied = await rt.start(def, { otherActive: started.map((s) => s.def) });
    startTimes.push(performance.now() - t);
    started.push({ def, applied });
    if ((i + 1) % 100 === 0) say(`  ${i + 1} started (${ms(t0)} ms)`);
  }
  const startTotal = ms(t0);

  const pids = started.map((s) => (s.applied as LinuxApplied).dnsmasq?.pid ?? 0);
  const alive = pids.filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'dnsmasq';
    } catch {
      return false;
    }
  });
  const inotify = alive.reduce((n, p) => n + inotifyInstances(p), 0);
  const mem = memoryOf(alive);
  const mem200 = memoryOf(alive.slice(0, 200));
  const self = memoryOf([process.pid]);

  // The last network serves a real DHCP client.
  ip('-n', hostNs, 'link', 'add', 'vbg', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', guestNs);
  ip('-n', hostNs, 'link', 'set', 'vbg', 'master', `vb${count - 1}`, 'up');
  ip('-n', guestNs, 'link', 'set', 'eth0', 'up');
  const dhcp = spawnSync(
    'ip',
    ['netns', 'exec', guestNs, 'busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '10', '-T', '1', '-s', '/bin/true'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const leased = /lease of (\S+) obtained/.exec(dhcp.stderr + dhcp.stdout)?.[1];

  const t1 = performance.now();
  for (const s of started.reverse()) await rt.stop(s.def, s.applied);
  const stopTotal = ms(t1);
  const left = workloadPids(hostNs).length; // the firewall's nft monitor outlives the last network for a while, by design
  const bridgesLeft = ip('-n', hostNs, '-br', 'link', 'show', 'type', 'bridge').split('\n').filter(Boolean).length;
  const tables = spawnSync('ip', ['netns', 'exec', hostNs, 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout.trim();
  rt.close();

  const summary = {
    networks: count,
    inotifyLimit: Number(limit),
    startTotalMs: startTotal,
    startFirstTenMs: avg(startTimes.slice(0, 10)),
    startLastTenMs: avg(startTimes.slice(-10)),
    dnsmasqAlive: alive.length,
    dnsmasqInotifyInstances: inotify,
    dnsmasqRssMiB: Math.round(mem.rssKiB / 102.4) / 10,
    dnsmasqPssMiB: Math.round(mem.pssKiB / 102.4) / 10,
    dnsmasqAnonMiB: Math.round(mem.anonKiB / 102.4) / 10,
    first200DnsmasqRssMiB: Math.round(mem200.rssKiB / 102.4) / 10,
    first200DnsmasqPssMiB: Math.round(mem200.pssKiB / 102.4) / 10,
    benchProcessRssMiB: Math.round(self.rssKiB / 102.4) / 10,
    lastNetworkLease: leased ?? null,
    stopTotalMs: stopTotal,
    leftAfterStop: { processes: left, bridges: bridgesLeft, nftTables: tables },
  };
  if (asJson) console.log(JSON.stringify(summary));
  else {
    say(`started ${count} in ${startTotal} ms (first ten ${summary.startFirstTenMs} ms each, last ten ${summary.startLastTenMs} ms each)`);
    say(`dnsmasq: ${alive.length} alive, ${inotify} inotify instances in total`);
    say(
      `dnsmasq memory (all ${alive.length}): RSS ${summary.dnsmasqRssMiB} MiB summed, PSS ${summary.dnsmasqPssMiB} MiB, anonymous ${summary.dnsmasqAnonMiB} MiB`,
    );
    say(`dnsmasq memory (first 200): RSS ${summary.first200DnsmasqRssMiB} MiB summed, PSS ${summary.first200DnsmasqPssMiB} MiB`);
    say(`this process (runtime + bench): RSS ${summary.benchProcessRssMiB} MiB`);
    say(`a client on network ${count - 1}: ${leased ? `lease of ${leased}` : 'NO LEASE'}`);
    say(`stopped ${count} in ${stopTotal} ms; left: ${left} processes, ${bridgesLeft} bridges, nft tables: '${tables}'`);
  }
  if (alive.length !== count || !leased || inotify !== 0 || left !== 0 || bridgesLeft !== 0 || tables !== '') process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
