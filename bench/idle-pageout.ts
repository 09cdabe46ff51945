/**
 * What the idle page-out (src/host/pageout.ts) gives and costs, on the real bin/virtnetd: its RSS
 * (and the file-backed part of it, smaps_rollup's Rss minus Anonymous) idle with no network, with
 * BENCH_NETWORKS (200) defined, right after starting them all and idle with them running; and the
 * first CLI call after an idle spell (`virtnet -q net-list --all`, `virtnet -q net-dumpxml NAME`)
 * against a second call right after it: the whole CLI process's time, the daemon's own time for the
 * call's requests (from its request log) and the page faults the daemon took for it (minor: from the
 * page cache; major: read from the disk), with how much file-backed memory came back per fault
 * (the kernel's fault-around maps up to 64 KiB around each).
 *
 * BENCH_PAGEOUT=0 runs the daemon with the page-out switched off (VIRTNET_PAGEOUT_HELPER=); compare
 * the two runs. BENCH_PRIVATE_NODE=1 runs the daemon from a private copy of the node binary (first
 * in its PATH): the kernel pages out only pages no other process maps, so this is the host where
 * virtnetd is the only Node.js program; without it, every other Node.js process on the machine
 * (the bench's own, the CLI's, other daemons) keeps the pages it shares with virtnetd resident.
 *
 * Run as root after `npm run build`, bundled as bench/README.md shows for the other benches:
 *   node node_modules/.cache/virtnet-bench/idle-pageout.mjs
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '../src/client/index.js';
import { createNetns, deleteNetns } from '../test/e2e/netns.js';
import { natXml as natXmlOn } from '../test/support/network-testkit.js';

const REPO = resolve(process.env['VIRTNET_REPO'] ?? process.cwd());
const CLI = join(REPO, 'bin/virtnet');
const NETWORKS = Number(process.env['BENCH_NETWORKS'] ?? 200);
const PAGEOUT = process.env['BENCH_PAGEOUT'] !== '0';
const PRIVATE_NODE = process.env['BENCH_PRIVATE_NODE'] === '1';
/** How long the daemon is left alone before a sample or a first call (ms): a quiet period, the page-out and its delay. */
// Past virtnetd's wait before it pages out (--idle-pageout-after, 120 s by default).
const IDLE_MS = Number(process.env['BENCH_IDLE_MS'] ?? 135_000);
/** First calls after an idle spell, per command and phase. */
const CYCLES = Number(process.env['BENCH_CYCLES'] ?? 4);

interface Memory {
  rss: number;
  file: number;
}

function memoryOf(pid: number): Memory {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1]) / 1024;
  return { rss: field('Rss'), file: field('Rss') - field('Anonymous') };
}

/** The daemon's minor and major page faults so far. */
function faultsOf(pid: number): { minor: number; major: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { minor: Number(fields[7]), major: Number(fields[9]) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root');
  if (!existsSync(join(REPO, 'dist/virtnetd.js'))) throw new Error("build first: 'npm run build'");
  const ns = createNetns('bench-po');
  const dir = mkdtempSync(join(tmpdir(), 'vnt-bench-po-'));
  const log = join(dir, 'virtnetd.log');
  const env: NodeJS.ProcessEnv = { ...process.env, ...(PAGEOUT ? {} : { VIRTNET_PAGEOUT_HELPER: '' }) };
  if (PRIVATE_NODE) {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    copyFileSync(process.execPath, join(bin, 'node'));
    chmodSync(join(bin, 'node'), 0o755);
    env['PATH'] = `${bin}:${env['PATH'] ?? ''}`;
  }
  let daemon: ChildProcess | undefined;
  try {
    daemon = spawn(
      join(REPO, 'bin/virtnetd'),
      ['--root', join(dir, 'root'), '--netns', ns, '--no-autostart', '--log-level', 'debug', '--log-file', log],
      {
        stdio: 'ignore',
        env,
      },
    );
    const pid = daemon.pid as number;
    const uri = `unix://${join(dir, 'root/run/virtnet/virtnetd.sock')}`;
    for (let tries = 0; ; tries++) {
      try {
        await (await connect({ uri })).close();
        break;
      } catch (err) {
        if (tries > 300) throw err;
        await sleep(50);
      }
    }
    // The CLI runs on the system's node, never the daemon's private copy.
    const cliEnv = { ...process.env, VIRTNET_DEFAULT_URI: uri };
    process.stdout.write(
      `idle page-out bench: page-out ${PAGEOUT ? 'on' : 'off'}, ${PRIVATE_NODE ? 'a private node binary' : "the system's node binary"}, node ${process.version}, ${NETWORKS} networks, load ${load()}\n`,
    );
    const sample = async (label: string, wait = IDLE_MS): Promise<void> => {
      await sleep(wait);
      const m = memoryOf(pid);
      process.stdout.write(`  ${label}: RSS ${m.rss.toFixed(1)} MiB, of it file-backed ${m.file.toFixed(1)} MiB (load ${load()})\n`);
    };
    /** The daemon's time (ms) in the requests it logged since `from` (a length of its log). */
    const daemonMs = (from: number): number =>
      readFileSync(log, 'utf8')
        .slice(from)
        .split('\n')
        .filter((l) => l.includes('"msg":"request"'))
        .reduce((sum, l) => sum + Number(/"ms":(\d+(?:\.\d+)?)/.exec(l)?.[1] ?? 0), 0);
    const call = (args: string[]): { wall: number; daemon: number; minor: number; major: number; fileMiB: number } => {
      const from = readFileSync(log, 'utf8').length;
      const f0 = faultsOf(pid);
      const m0 = memoryOf(pid);
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [CLI, ...args], { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`virtnet ${args.join(' ')} failed: ${r.stderr}`);
      const f1 = faultsOf(pid);
      return { wall, daemon: daemonMs(from), minor: f1.minor - f0.minor, major: f1.major - f0.major, fileMiB: memoryOf(pid).file - m0.file };
    };
    const firstCalls = async (label: string, args: string[]): Promise<void> => {
      const first: ReturnType<typeof call>[] = [];
      const second: ReturnType<typeof call>[] = [];
      for (let i = 0; i < CYCLES; i++) {
        await sleep(IDLE_MS);
        first.push(call(args));
        second.push(call(args));
      }
      const show = (what: string, runs: ReturnType<typeof call>[]): string =>
        `${what}: CLI ${median(runs.map((r) => r.wall)).toFixed(1)} ms, daemon ${median(runs.map((r) => r.daemon)).toFixed(1)} ms, ` +
        `faults ${median(runs.map((r) => r.minor))} minor + ${median(runs.map((r) => r.major))} major, file-backed +${median(runs.map((r) => r.fileMiB)).toFixed(2)} MiB`;
      process.stdout.write(
        `  ${label} (median of ${CYCLES}, load ${load()}):\n    ${show('first after idle', first)}\n    ${show('second', second)}\n`,
      );
    };

    await sample('idle, no network');
    await firstCalls('virtnet -q net-list --all, no network', ['-q', 'net-list', '--all']);
    const client = await connect({ uri });
    try {
      for (let i = 0; i < NETWORKS; i++) await client.define(natXmlOn(`po${i}`, `10.78.${i}`));
    } finally {
      await client.close();
    }
    await sample(`idle, ${NETWORKS} defined`);
    const c = await connect({ uri });
    const t0 = Date.now();
    try {
      for (let i = 0; i < NETWORKS; i++) await c.start(`po${i}`);
    } finally {
      await c.close();
    }
    const startsS = (Date.now() - t0) / 1000;
    await sample(`right after starting ${NETWORKS} (in ${startsS.toFixed(1)} s)`, 0);
    await sample(`idle, ${NETWORKS} running`, 20_000);
    await firstCalls(`virtnet -q net-list --all, ${NETWORKS} running`, ['-q', 'net-list', '--all']);
    await firstCalls(`virtnet -q net-dumpxml po${NETWORKS >> 1}, ${NETWORKS} running`, ['-q', 'net-dumpxml', `po${NETWORKS >> 1}`]);
    const pageOuts = readFileSync(log, 'utf8').split('"msg":"idle page-out"').length - 1;
    const warned = /keeps its code's pages resident[^"]*/.exec(readFileSync(log, 'utf8'))?.[0];
    process.stdout.write(`  page-outs started: ${pageOuts}${warned ? ` (the log: ${warned})` : ''}\n`);
  } finally {
    if (daemon && daemon.exitCode === null) {
      const gone = new Promise<void>((r) => daemon?.once('exit', () => r()));
      daemon.kill('SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    }
    deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/idle-pageout: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
