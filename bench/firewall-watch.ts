/**
 * What the firewall watch costs (not a test): N NAT networks (default 200;
 * no DHCP or DNS, so the numbers are the firewall's) started through the
 * Linux runtime twice in fresh namespaces, without and with the watch;
 * then, with the watch, `nft flush ruleset` and the time until every
 * network is reported repaired, and a check of the table with nothing to
 * repair (what each foreign transaction costs).
 *
 *   node bench/firewall-watch.mjs [--networks N]
 *
 * Prints one line per figure. Everything it creates (namespaces, a
 * temporary root) is removed at the end, also on failure.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetworkXml } from '../src/conf/network/parse.js';
import type { NetworkDef } from '../src/conf/network/types.js';
import { createLinuxRuntime, type AppliedNetwork, type LinuxRuntime } from '../src/driver/runtime/index.js';
import { virtnetPaths } from '../src/driver/common/paths.js';
import { createNetns, netnsPids } from '../test/e2e/netns.js';

const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--networks') + 1] ?? 200) || 200;
const root = mkdtempSync(join(tmpdir(), 'vnt-fwbench-'));
chmodSync(root, 0o755);
// The namespaces are deleted when the process ends (test/e2e/netns.ts), also on SIGINT and SIGTERM.
process.once('exit', () => rmSync(root, { recursive: true, force: true }));

const def = (i: number): NetworkDef =>
  parseNetworkXml(
    `<network><name>fw${i}</name><forward mode='nat'/><bridge name='vfw${i}' stp='off'/><dns enable='no'/><ip address='10.${100 + (i >> 8)}.${i & 255}.1' prefix='24'/></network>`,
  );

/** CPU seconds (user + system) and RSS of the nft processes in a namespace (the monitor). */
function monitorUsage(ns: string): { cpuMs: number; rssKiB: number; count: number } {
  const hz = 100;
  let cpu = 0;
  let rss = 0;
  let n = 0;
  for (const p of netnsPids(ns)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (!stat.includes('(nft)')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += ((Number(f[11]) + Number(f[12])) / hz) * 1000;
      rss += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      n++;
    } catch {
      /* gone */
    }
  }
  return { cpuMs: cpu, rssKiB: rss, count: n };
}

async function run(watch: boolean): Promise<void> {
  const ns = createNetns(watch ? 'fwb-on' : 'fwb-off');
  const rt: LinuxRuntime = await createLinuxRuntime({ netns: ns, paths: virtnetPaths(join(root, ns)), watchFirewall: watch, dhcpChecksum: 'none' });
  const running: { def: NetworkDef; applied: AppliedNetwork }[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const d = def(i);
    running.push({ def: d, applied: await rt.start(d, { otherActive: running.map((r) => r.def) }) });
  }
  const startMs = performance.now() - t0;
  console.log(`watch ${watch ? 'on ' : 'off'}: ${count} starts in ${(startMs / 1000).toFixed(2)} s (${(startMs / count).toFixed(1)} ms each)`);
  if (watch) {
    const usage = monitorUsage(ns);
    console.log(`  nft monitor: ${usage.count} process, ${usage.rssKiB} KiB RSS, ${usage.cpuMs.toFixed(0)} ms CPU over the ${count} starts`);
    const repaired = new Set<string>();
    let all: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (all = resolve));
    rt.watchHealth((h) => {
      if (h.state === 'repaired') repaired.add(h.network);
      if (repaired.size === count) all();
    });
    const flushed = performance.now();
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'flush', 'ruleset']);
    // The monitor does not keep a process alive on its own (unref'd); this timer does, while waiting.
    const keep = setInterval(() => undefined, 1000);
    await done;
    clearInterval(keep);
    console.log(`  nft flush ruleset: all ${count} networks repaired ${(performance.now() - flushed).toFixed(0)} ms after it`);
    const c0 = performance.now();
    await rt.checkFirewall();
    console.log(`  a check with nothing to repair (list the table, compare): ${(performance.now() - c0).toFixed(0)} ms`);
    const idleBefore = monitorUsage(ns).cpuMs;
    await new Promise((r) => setTimeout(r, 5000));
    console.log(`  idle for 5 s: the monitor used ${(monitorUsage(ns).cpuMs - idleBefore).toFixed(0)} ms CPU`);
  }
  for (const r of running.reverse()) await rt.stop(r.def, r.applied);
  rt.close();
}

await run(false);
await run(true);
console.log('(this machine: 2 vCPUs shared with other work; figures are noisy)');
