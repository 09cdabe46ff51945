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
 *       read once the daemon has been idle for BENCH_SETTLE_MS (20 s by
 *       default: V8 gives memory back when a burst of requests is over, as
 *       libvirtd's figure is taken from a daemon at rest).
 *
 * Medians of BENCH_REPS runs (20 by default; 10 for the cycle). Beside each
 * figure: libvirt 9.0's, from ../shared/anchors/libvirt (bench-result.txt,
 * README), each a whole `virsh -q -c network:///system …` process.
 *
 * Run as root after `npm run build`:
 *   npx esbuild bench/cli.ts --bundle --platform=node --format=esm --target=node20 \
 *     --external:libxml2-wasm --outfile=node_modules/.cache/virtnet-bench/cli.mjs \
 *     "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
 *   node node_modules/.cache/virtnet-bench/cli.mjs
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '../src/client/index.js';

const REPO = resolve(process.env['VIRTNET_REPO'] ?? process.cwd());
const CLI = join(REPO, 'bin/virtnet');
const DAEMON = join(REPO, 'dist/virtnetd.js');
const REPS = Number(process.env['BENCH_REPS'] ?? 20);
const NETWORKS = Number(process.env['BENCH_NETWORKS'] ?? 200);
const ACTIVE = process.env['BENCH_ACTIVE'] === '1';
const SETTLE_MS = Number(process.env['BENCH_SETTLE_MS'] ?? 20_000);

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

/** A process's resident set in MiB, once it has been idle for SETTLE_MS. */
async function settledRssMiB(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
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

function measure(reps: number, cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): number {
  timeProcess(cmd, args, env, cwd); // warm the page cache
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(timeProcess(cmd, args, env, cwd));
  return median(times);
}

const natXml = (name: string, third: number): string => `<network>
  <name>${name}</name>
  <forward mode='nat'/>
  <ip address='10.77.${third}.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.77.${third}.2' end='10.77.${third}.254'/>
    </dhcp>
  </ip>
</network>
`;

function netnsPids(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  return r.status === 0
    ? r.stdout
        .split(/\s+/)
        .filter((s) => /^\d+$/.test(s))
        .map(Number)
    : [];
}

async function stopAll(daemon: ChildProcess | undefined, ns: string, dir: string): Promise<void> {
  if (daemon && daemon.exitCode === null) {
    const gone = new Promise<void>((r) => daemon.once('exit', () => r()));
    daemon.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    for (const pid of netnsPids(ns)) {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (the daemon realises networks in a network namespace)');
  if (!existsSync(DAEMON) || !existsSync(join(REPO, 'dist/virtnet.js'))) throw new Error("build first: 'npm run build'");
  const ns = `vnt-bench-cli-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'vnt-bench-cli-'));
  let daemon: ChildProcess | undefined;
  const cleanup = (): void => {
    void stopAll(daemon, ns, dir);
  };
  process.once('SIGINT', cleanup);
  try {
    spawnSync('ip', ['netns', 'add', ns]);
    spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
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
    const rows: [string, number, number | undefined, string][] = [];
    const row = (label: string, ours: number, virsh?: number, unit = 'ms'): void => {
      rows.push([label, ours, virsh, unit]);
      process.stdout.write(`  ${label}: ${ours.toFixed(1)} ${unit}\n`);
    };
    const daemonPid = daemon.pid;
    if (daemonPid === undefined) throw new Error('virtnetd did not start');
    const rssRow = async (label: string, libvirtd?: number): Promise<void> => row(label, await settledRssMiB(daemonPid), libvirtd, 'MiB');

    process.stdout.write(`virtnet CLI benchmark: median of ${REPS} processes each (node ${process.version})\n`);
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

    if (ACTIVE) {
      const c = await connect({ uri });
      try {
        for (let i = 0; i < NETWORKS; i++) await c.start(`bench${i}`);
      } finally {
        await c.close();
      }
      row(`virtnet -q net-list --all, ${NETWORKS} running`, measure(REPS, CLI, ['-q', 'net-list', '--all'], env), VIRSH.listActive200);
      await rssRow(`virtnetd RSS, ${NETWORKS} running`, NETWORKS === 200 ? LIBVIRTD_RSS_MIB.active200 : undefined);
    }

    process.stdout.write('\n| measurement | virtnet | virsh / libvirtd (libvirt 9.0) | ratio |\n|---|---:|---:|---:|\n');
    for (const [label, ours, virsh, unit] of rows) {
      const v = virsh === undefined ? '' : `${virsh.toFixed(1)} ${unit}`;
      const ratio = virsh === undefined ? '' : `${(ours / virsh).toFixed(2)}×`;
      process.stdout.write(`| ${label} | ${ours.toFixed(1)} ${unit} | ${v} | ${ratio} |\n`);
    }
  } finally {
    process.off('SIGINT', cleanup);
    await stopAll(daemon, ns, dir);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/cli: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
