/**
 * Benchmark of the CLI (issue 4, point 5) — prints numbers, is never a
 * test. Every figure is the wall time of whole `bin/virtnet` processes, as
 * a user runs them, against a real virtnetd (bin/virtnetd, as a user starts it) whose
 * networks live in a network namespace this script creates and always
 * deletes:
 *
 *   (1) start-up alone: `node -e 0`, `virtnet --version`, `virtnet help
 *       net-list` (no daemon), `virtnet uri` (connect + one round trip);
 *   (2) `virtnet -q net-list --all` with 200 defined networks;
 *   (3) `virtnet -q net-dumpxml NAME` (live and --inactive), one of 200;
 *   (4) define+start+destroy+undefine of a NAT+DHCP network as one process
 *       (`virtnet -q "net-define F; net-start N; net-destroy N; net-undefine N"`);
 *   (2') with BENCH_ACTIVE=1, (2) again with all 200 networks running;
 *   (5) the daemon's RSS (/proc/PID/status VmRSS) with no network, with the
 *       200 defined and, with BENCH_ACTIVE=1, with the 200 running, each
 *       read once the daemon has been idle for BENCH_SETTLE_MS (135 s by
 *       default: virtnetd collects its garbage once quiet and pages out its
 *       code after two quiet minutes, as libvirtd's figure is taken from a
 *       daemon at rest) — and right after
 *       the 200 starts;
 *   (6) with BENCH_ACTIVE=1, the total memory of the daemon, every process
 *       in its namespace (the dnsmasqs) and its own helpers (fork server,
 *       dnsmasq zygote), the four ways of ./memory.ts, right after the
 *       starts and once idle; with BENCH_LIBVIRT=1 beside libvirt's with
 *       the same 200 networks, measured in the same run against the
 *       running anchor (./libvirt-live.ts, ~2 minutes more).
 *
 * Each timing is the median and the minimum of BENCH_REPS runs (20 by
 * default; 10 for the cycle); on a busy machine the minimum is the better
 * guide. Beside each figure: libvirt 9.0's, from ../shared/anchors/libvirt
 * (bench-result.txt, README), each a whole `virsh -q -c network:///system …`
 * process. Under the table, the verdict for each target of issue 17.
 *
 * Run as root after `npm run build`:
 *   npx esbuild bench/cli.ts --bundle --platform=node --format=esm --target=node20 \
 *     --external:libxml2-wasm --outfile=node_modules/.cache/virtnet-bench/cli.mjs \
 *     "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
 *   node node_modules/.cache/virtnet-bench/cli.mjs
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '../src/client/index.js';
import { createNetns, deleteNetns, netnsPids } from '../test/e2e/netns.js';
import { natXml as natXmlOn } from '../test/support/network-testkit.js';
import { libvirtAvailable, measureLibvirtMemory, type LibvirtMemory } from './libvirt-live.js';
import { childrenOf, formatMemory, groupMemory, type GroupMemory } from './memory.js';

const REPO = resolve(process.env['VIRTNET_REPO'] ?? process.cwd());
const CLI = join(REPO, 'bin/virtnet');
const DAEMON = join(REPO, 'dist/virtnetd.js');
const REPS = Number(process.env['BENCH_REPS'] ?? 20);
const NETWORKS = Number(process.env['BENCH_NETWORKS'] ?? 200);
const ACTIVE = process.env['BENCH_ACTIVE'] === '1';
const SETTLE_MS = Number(process.env['BENCH_SETTLE_MS'] ?? 135_000);
const LIBVIRT_LIVE = process.env['BENCH_LIBVIRT'] === '1';

/** libvirt 9.0's figures (../shared/anchors/libvirt/README.md, bench-result.txt). */
const VIRSH = {
  uri: 16.3,
  listEmpty: 16.7,
  listActive200: 92.5,
  listInactive200: 88.5,
  dumpxml: 15.5,
  dumpxmlInactive: 15.5,
  cycle: 505.8,
};

/** libvirtd's RSS from the anchor's run (bench-result.txt): idle, and with 200 networks running. */
const LIBVIRTD_RSS_MIB = { idle: 19.8, active200: 22.3 };

/** A process's resident set in MiB. */
function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** A process's resident set in MiB, once it has been idle for SETTLE_MS. */
async function settledRssMiB(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return rssMiB(pid);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Wall time of one process, in ms; throws if it fails. */
function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

interface Timing {
  median: number;
  min: number;
}

/** Two commands run in turn, `reps` times each, so that a busy machine weighs on both alike. */
function measurePair(reps: number, a: [string, string[]], b: [string, string[]], env: NodeJS.ProcessEnv): [Timing, Timing] {
  timeProcess(a[0], a[1], env);
  timeProcess(b[0], b[1], env);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < reps; i++) {
    ta.push(timeProcess(a[0], a[1], env));
    tb.push(timeProcess(b[0], b[1], env));
  }
  return [
    { median: median(ta), min: Math.min(...ta) },
    { median: median(tb), min: Math.min(...tb) },
  ];
}

function measure(reps: number, cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Timing {
  timeProcess(cmd, args, env, cwd); // warm the page cache
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(timeProcess(cmd, args, env, cwd));
  return { median: median(times), min: Math.min(...times) };
}

const natXml = (name: string, third: number): string => natXmlOn(name, `10.77.${third}`);

async function stopAll(daemon: ChildProcess | undefined, ns: string, dir: string): Promise<void> {
  if (daemon && daemon.exitCode === null) {
    const gone = new Promise<void>((r) => daemon.once('exit', () => r()));
    daemon.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }
  deleteNetns(ns);
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (the daemon realises networks in a network namespace)');
  // The CLI's bundle is dist/virtnet.cjs (dist/virtnet.js in builds before issue 17, which this bench can measure too).
  if (!existsSync(DAEMON) || !['dist/virtnet.cjs', 'dist/virtnet.js'].some((f) => existsSync(join(REPO, f))))
    throw new Error("build first: 'npm run build'");
  let libvirt: LibvirtMemory | undefined;
  if (LIBVIRT_LIVE && ACTIVE) {
    if (!libvirtAvailable()) throw new Error('BENCH_LIBVIRT=1 but the libvirt anchor does not answer (bash ../shared/anchors/libvirt/start.sh)');
    const lvDir = mkdtempSync(join(tmpdir(), 'vnt-bench-cli-lv-'));
    try {
      libvirt = measureLibvirtMemory(lvDir, { n: NETWORKS, log: (m) => process.stdout.write(`  ${m}\n`) });
    } finally {
      rmSync(lvDir, { recursive: true, force: true });
    }
  }
  const ns = createNetns('bench-cli');
  const dir = mkdtempSync(join(tmpdir(), 'vnt-bench-cli-'));
  let daemon: ChildProcess | undefined;
  // On Ctrl-C, test/e2e/netns.ts deletes the namespace and exits: the daemon and its root go too.
  const cleanup = (): void => {
    daemon?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    daemon = spawn(join(REPO, 'bin/virtnetd'), ['--root', dir, '--netns', ns, '--no-autostart', '--log-level', 'warn'], { stdio: 'ignore' });
    const socket = join(dir, 'run/virtnet/virtnetd.sock');
    const uri = `unix://${socket}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await (await connect({ uri })).close();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const env = { ...process.env, VIRTNET_DEFAULT_URI: uri };
    const rows: [string, number, number | undefined, string, number | undefined][] = [];
    const row = (label: string, ours: number | Timing, virsh?: number, unit = 'ms'): void => {
      const [value, min] = typeof ours === 'number' ? [ours, undefined] : [ours.median, ours.min];
      rows.push([label, value, virsh, unit, min]);
      process.stdout.write(`  ${label}: ${value.toFixed(1)} ${unit}${min === undefined ? '' : ` (min ${min.toFixed(1)})`}\n`);
    };
    const daemonPid = daemon.pid;
    if (daemonPid === undefined) throw new Error('virtnetd did not start');
    const rssRow = async (label: string, libvirtd?: number): Promise<number> => {
      const mib = await settledRssMiB(daemonPid);
      row(label, mib, libvirtd, 'MiB');
      return mib;
    };
    /** The daemon, every process in its namespace and its own helpers. */
    const ourMemory = (): GroupMemory => groupMemory([daemonPid, ...new Set([...netnsPids(ns), ...childrenOf(daemonPid)])]);

    process.stdout.write(
      `virtnet CLI benchmark: median and minimum of ${REPS} processes each (node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').trim()})\n`,
    );
    row('node -e 0 (bare Node.js start-up)', measure(REPS, process.execPath, ['-e', '0'], env));
    row('virtnet --version (start-up alone)', measure(REPS, CLI, ['--version'], env));
    row('virtnet help net-list (no daemon)', measure(REPS, CLI, ['help', 'net-list'], env));
    row('virtnet uri (connect + 1 call)', measure(REPS, CLI, ['uri'], env), VIRSH.uri);
    row('virtnet -q net-list --all, 0 networks', measure(REPS, CLI, ['-q', 'net-list', '--all'], env), VIRSH.listEmpty);
    await rssRow('virtnetd RSS, no network', LIBVIRTD_RSS_MIB.idle);

    const client = await connect({ uri });
    try {
      for (let i = 0; i < NETWORKS; i++) await client.define(natXml(`bench${i}`, i));
    } finally {
      await client.close();
    }
    const pick = `bench${Math.floor(NETWORKS / 2)}`;
    await rssRow(`virtnetd RSS, ${NETWORKS} defined`);
    row(`virtnet -q net-list --all, ${NETWORKS} defined`, measure(REPS, CLI, ['-q', 'net-list', '--all'], env), VIRSH.listInactive200);
    row(`virtnet -q net-dumpxml (1 of ${NETWORKS})`, measure(REPS, CLI, ['-q', 'net-dumpxml', pick], env), VIRSH.dumpxml);
    row(
      `virtnet -q net-dumpxml --inactive (1 of ${NETWORKS})`,
      measure(REPS, CLI, ['-q', 'net-dumpxml', '--inactive', pick], env),
      VIRSH.dumpxmlInactive,
    );

    const cycleDir = mkdtempSync(join(dir, 'cycle-'));
    writeFileSync(join(cycleDir, 'cycle.xml'), natXml('cycle', 250));
    const line = 'net-define cycle.xml; net-start cycle; net-destroy cycle; net-undefine cycle';
    row(
      'virtnet -q "define; start; destroy; undefine" (one process)',
      measure(Math.max(5, Math.floor(REPS / 2)), CLI, ['-q', line], env, cycleDir),
      VIRSH.cycle,
    );

    const verdicts: string[] = [];
    const verdict = (ok: boolean, text: string): void => {
      verdicts.push(`${ok ? 'met' : 'MISSED'}: ${text}`);
    };
    // The target's two figures, taken in turn (3x BENCH_REPS each) rather than minutes apart.
    const [pairBare, pairCall] = measurePair(3 * REPS, [process.execPath, ['-e', '0']], [CLI, ['-q', 'net-dumpxml', pick]], env);
    row(`node -e 0 and net-dumpxml in turn (${3 * REPS} each): node -e 0`, pairBare);
    row(`node -e 0 and net-dumpxml in turn (${3 * REPS} each): virtnet -q net-dumpxml`, pairCall, VIRSH.dumpxml);
    const over = { median: pairCall.median - pairBare.median, min: pairCall.min - pairBare.min };
    verdict(
      over.median <= 8,
      `one CLI call (net-dumpxml) ${over.median.toFixed(1)} ms above a bare node -e 0 by median (${over.min.toFixed(1)} ms by minimum); target <= 8 ms`,
    );

    if (ACTIVE) {
      const c = await connect({ uri });
      try {
        for (let i = 0; i < NETWORKS; i++) await c.start(`bench${i}`);
      } finally {
        await c.close();
      }
      const burst = rssMiB(daemonPid);
      const burstTotal = ourMemory();
      row(`virtnetd RSS, right after starting ${NETWORKS}`, burst, undefined, 'MiB');
      row(`virtnet -q net-list --all, ${NETWORKS} running`, measure(REPS, CLI, ['-q', 'net-list', '--all'], env), VIRSH.listActive200);
      const idle = await rssRow(`virtnetd RSS, ${NETWORKS} running`, NETWORKS === 200 ? LIBVIRTD_RSS_MIB.active200 : undefined);
      const idleTotal = ourMemory();
      verdict(idle <= 45, `virtnetd idle with ${NETWORKS} running: ${idle.toFixed(1)} MiB RSS; target <= 45 MiB`);
      verdict(burst <= 60, `virtnetd right after starting ${NETWORKS}: ${burst.toFixed(1)} MiB RSS; target <= 60 MiB`);
      process.stdout.write(`\ntotal memory with ${NETWORKS} running (virtnetd + its namespace's processes + its helpers):\n`);
      process.stdout.write(`  right after the starts: ${formatMemory(burstTotal)} (${burstTotal.processes} processes)\n`);
      process.stdout.write(`  idle:                   ${formatMemory(idleTotal)} (${idleTotal.processes} processes)\n`);
      if (libvirt) {
        process.stdout.write(
          `  libvirt 9.0, same run:  ${formatMemory(libvirt.total)} (${libvirt.total.processes} processes; libvirtd alone ${formatMemory(libvirt.daemon)})\n`,
        );
        for (const [what, pick] of [
          ['distinct physical pages', (m: GroupMemory) => m.uniqueKiB],
          ['summed PSS', (m: GroupMemory) => m.pssKiB],
        ] as const) {
          const ours = pick(idleTotal);
          const theirs = pick(libvirt.total);
          if (ours === undefined || theirs === undefined) continue;
          verdict(
            ours <= 0.8 * theirs,
            `total memory by ${what}, idle: ${(ours / 1024).toFixed(1)} MiB against libvirt's ${(theirs / 1024).toFixed(1)} MiB = ${(ours / theirs).toFixed(2)}x; target <= 0.8x`,
          );
        }
      }
    }

    process.stdout.write('\n| measurement | virtnet: median (min) | virsh / libvirtd (libvirt 9.0) | ratio (median) |\n|---|---:|---:|---:|\n');
    for (const [label, ours, virsh, unit, min] of rows) {
      const v = virsh === undefined ? '' : `${virsh.toFixed(1)} ${unit}`;
      const ratio = virsh === undefined ? '' : `${(ours / virsh).toFixed(2)}×`;
      process.stdout.write(`| ${label} | ${ours.toFixed(1)}${min === undefined ? '' : ` (${min.toFixed(1)})`} ${unit} | ${v} | ${ratio} |\n`);
    }
    process.stdout.write(`\nissue 17's targets:\n${verdicts.map((v) => `  ${v}`).join('\n')}\n`);
  } finally {
    process.off('exit', cleanup);
    await stopAll(daemon, ns, dir);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/cli: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
