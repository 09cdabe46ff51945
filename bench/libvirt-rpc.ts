/**
 * The same virsh commands against real libvirt and against virtnet, in one
 * run (issue 15) — prints numbers, is never a test. Every figure is the
 * wall time of one whole `virsh -q -c URI …` process (Debian's virsh),
 * median of BENCH_REPS runs (10 by default), the two daemons taking turns
 * command by command so both see the same machine load:
 *
 *   - libvirt: the shared anchor (../shared/anchors/libvirt, libvirtd 9.0 in
 *     its own namespace), used only while holding /work/coord/lvanchor.lock
 *     and started with LVANCHOR_KEEP_STATE=1 (other helpers' networks stay);
 *   - virtnet: a virtnetd this script starts (bin/virtnetd, a temporary
 *     root, networks in a namespace it creates and deletes), reached through
 *     its libvirt socket: `network:///system?socket=ROOT/run/libvirt/virtnetworkd-sock`.
 *
 * Commands: `uri` (connect, register the close callback, close),
 * `net-list --all`, then a NAT+DHCP network `rpc-bench` defined, started,
 * read (`net-info`, `net-dumpxml`), stopped and undefined, each step its own
 * process. The network is always removed from both daemons at the end.
 *
 * Run as root after `npm run build`:
 *   npx esbuild bench/libvirt-rpc.ts --bundle --platform=node --format=esm --target=node20 \
 *     --outfile=node_modules/.cache/virtnet-bench/libvirt-rpc.mjs
 *   node node_modules/.cache/virtnet-bench/libvirt-rpc.mjs
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createNetns, deleteNetns } from '../test/e2e/netns.js';
import { natXml } from '../test/support/network-testkit.js';

const REPO = resolve(process.env['VIRTNET_REPO'] ?? process.cwd());
const REPS = Number(process.env['BENCH_REPS'] ?? 10);
const LOCK = process.env['LVANCHOR_LOCK'] ?? '/work/coord/lvanchor.lock';
const ANCHOR = [process.env['LVANCHOR_DIR'], join(REPO, '../shared/anchors/libvirt'), '/work/shared/anchors/libvirt'].find(
  (d): d is string => d !== undefined && existsSync(join(d, 'start.sh')),
);
const NET = 'rpc-bench';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** One virsh process; its wall time in ms. */
function virsh(uri: string, args: string[], check = true): number {
  const t0 = performance.now();
  const r = spawnSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8', cwd: work });
  const ms = performance.now() - t0;
  if (check && r.status !== 0) throw new Error(`virsh -c ${uri} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return ms;
}

type Figures = Record<string, number>;

const STEPS: [string, string[]][] = [
  ['uri', ['uri']],
  ['net-list --all', ['net-list', '--all']],
  ['net-define', ['net-define', 'rpc-bench.xml']],
  ['net-start', ['net-start', NET]],
  ['net-info', ['net-info', NET]],
  ['net-dumpxml', ['net-dumpxml', NET]],
  ['net-destroy', ['net-destroy', NET]],
  ['net-undefine', ['net-undefine', NET]],
];

function networkCount(uri: string): number {
  const names = spawnSync('virsh', ['-q', '-c', uri, 'net-list', '--all', '--name'], { encoding: 'utf8' }).stdout.trim();
  if (names.split('\n').includes(NET)) throw new Error(`${uri} already has a network '${NET}'; refusing to touch it`);
  return names === '' ? 0 : names.split('\n').length;
}

/** Every command, REPS times, the daemons taking turns so both see the same machine load. */
function measure(uris: string[]): Figures[] {
  const runs = uris.map(() => new Map<string, number[]>());
  for (let i = 0; i < REPS; i++) {
    uris.forEach((uri, u) => {
      for (const [k, args] of STEPS) {
        const list = runs[u]!.get(k) ?? [];
        list.push(virsh(uri, args));
        runs[u]!.set(k, list);
      }
    });
  }
  return runs.map((r) => {
    const out: Figures = {};
    for (const [k, v] of r) out[k] = median(v);
    out['cycle (define … undefine)'] = ['net-define', 'net-start', 'net-destroy', 'net-undefine'].reduce((a, k) => a + (out[k] ?? 0), 0);
    return out;
  });
}

/** Remove the bench network from a daemon, whatever state it is in. */
function cleanup(uri: string): void {
  virsh(uri, ['net-destroy', NET], false);
  virsh(uri, ['net-undefine', NET], false);
}

/** Hold the anchor's lock (a flock process that keeps it until we close its stdin). */
async function lockAnchor(): Promise<ChildProcess> {
  const holder = spawn('flock', [LOCK, '-c', 'echo locked; cat > /dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolveLock, reject) => {
    holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolveLock());
    holder.once('exit', (code) => reject(new Error(`flock ${LOCK} exited (${code})`)));
  });
  return holder;
}

const work = mkdtempSync(join(tmpdir(), 'vnt-bench-rpc-'));
writeFileSync(join(work, 'rpc-bench.xml'), natXml(NET, '10.233.7'));

async function main(): Promise<void> {
  if (!ANCHOR) throw new Error('the libvirt anchor (../shared/anchors/libvirt) is not there; set LVANCHOR_DIR');
  const ns = createNetns('brpc');
  const root = join(work, 'root');
  const daemon = spawn(join(REPO, 'bin/virtnetd'), ['--root', root, '--netns', ns, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let virtnetUri = '';
  let holder: ChildProcess | undefined;
  let libvirtUri = '';
  try {
    virtnetUri = await new Promise<string>((resolveUri, reject) => {
      let out = '';
      daemon.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /connect with -c '([^']+)'/.exec(out);
        if (m) resolveUri(m[1]!);
      });
      daemon.once('exit', (code) => reject(new Error(`virtnetd exited (${code}): ${out}`)));
    });
    holder = await lockAnchor();
    const started = spawnSync('bash', [join(ANCHOR, 'start.sh')], { encoding: 'utf8', env: { ...process.env, LVANCHOR_KEEP_STATE: '1' } });
    if (started.status !== 0) throw new Error(`the anchor did not start: ${started.stderr}`);
    libvirtUri = started.stdout.trim().split('\n').pop() ?? '';
    const counts = [networkCount(libvirtUri), networkCount(virtnetUri)];
    const [theirs, ours] = measure([libvirtUri, virtnetUri]) as [Figures, Figures];

    const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');
    console.log(
      `virsh ${spawnSync('virsh', ['--version'], { encoding: 'utf8' }).stdout.trim()}, median of ${REPS} processes each, load average ${load}`,
    );
    console.log(`libvirt: ${libvirtUri} (libvirtd 9.0, ${counts[0]} other networks defined)`);
    console.log(`virtnet: ${virtnetUri} (${counts[1]} other networks)\n`);
    console.log('| virsh command | libvirt 9.0 | virtnet | ratio |');
    console.log('|---|---:|---:|---:|');
    for (const k of Object.keys(ours)) {
      const a = theirs[k] ?? NaN;
      const b = ours[k] ?? NaN;
      console.log(`| \`${k}\` | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${(b / a).toFixed(2)}× |`);
    }
  } finally {
    if (libvirtUri) cleanup(libvirtUri);
    holder?.stdin?.end();
    if (virtnetUri) cleanup(virtnetUri);
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode !== null ? r(undefined) : daemon.once('exit', r)));
    deleteNetns(ns);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
