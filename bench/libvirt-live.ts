/**
 * libvirt 9.0's figures measured live, in the same run as ours (bench
 * helper): the workloads of ../shared/anchors/libvirt/bench.sh run against
 * the anchor's libvirtd *as it is already running* (it may be shared with
 * others, so it is never started, stopped or wiped here: `bash
 * ../shared/anchors/libvirt/start.sh` starts it). Every timing is one
 * `virsh -q -c network:///system …` process, as in bench.sh.
 *
 * Networks are named `vnbNNN` with subnets 10.230.x/10.231.x, refused if
 * any such network already exists, and always destroyed and undefined at
 * the end. libvirt's dnsmasqs take one inotify instance each, so 200
 * networks need `fs.inotify.max_user_instances` above its default of 128:
 * as bench.sh does, it is raised to 1024 for this phase only and restored
 * afterwards (also on failure).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { netnsPids } from '../test/e2e/netns.js';
import { natXml } from '../test/support/network-testkit.js';
import { groupMemory, type GroupMemory } from './memory.js';

export const LIBVIRT_URI = 'network:///system';
const NETNS = 'lvanchor';
const PIDFILE = '/run/lvanchor/libvirtd.pid';
const INOTIFY = '/proc/sys/fs/inotify/max_user_instances';

export interface LibvirtLive {
  cycleMs: number;
  stepsMs: [number, number, number, number];
  n: number;
  startTotalMs: number;
  first10Ms: number;
  last10Ms: number;
  destroyTotalMs: number;
  destroyMedianMs: number;
  undefineTotalMs: number;
  /** libvirtd alone, and libvirtd plus every process in its namespace (the dnsmasqs), with n active. */
  daemon: GroupMemory;
  total: GroupMemory;
  dnsmasqProcesses: number;
}

function virsh(...args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`virsh ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return ms;
}

/** Whether the anchor answers (it is not started here). */
export function libvirtAvailable(): boolean {
  return spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'uri'], { encoding: 'utf8', timeout: 5000 }).status === 0;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function natFile(dir: string, name: string, a: number, b: number): string {
  const f = `${dir}/${name}.xml`;
  writeFileSync(f, natXml(name, `10.${a}.${b}`));
  return f;
}

/**
 * What a measure starts from: none of our vnb* networks defined, libvirtd's PID, and the inotify
 * instance limit raised (1024) when n networks' dnsmasqs need it, put back by `end` or on exit.
 */
function beginMeasure(): { daemonPid: number; roomFor: (n: number) => void; end: () => void } {
  refuseOurNames();
  const inotifyBefore = readFileSync(INOTIFY, 'utf8').trim();
  const restore = (): void => {
    if (readFileSync(INOTIFY, 'utf8').trim() !== inotifyBefore) writeFileSync(INOTIFY, `${inotifyBefore}\n`);
  };
  process.once('exit', restore);
  return {
    daemonPid: Number(readFileSync(PIDFILE, 'utf8').trim()),
    roomFor: (n) => {
      if (Number(inotifyBefore) < n + 64) writeFileSync(INOTIFY, '1024\n');
    },
    end: () => {
      restore();
      process.removeListener('exit', restore);
    },
  };
}

export interface LibvirtMemory {
  n: number;
  /** libvirtd alone, and libvirtd plus every process in its namespace (the dnsmasqs), with n active. */
  daemon: GroupMemory;
  total: GroupMemory;
  dnsmasqProcesses: number;
}

/**
 * libvirt's memory with n NAT+DHCP networks active, measured the four ways
 * of ./memory.ts: define and start them, measure, destroy and undefine them
 * (~25 s + ~90 s for 200). For benches that measure nothing else of libvirt.
 */
export function measureLibvirtMemory(dir: string, opts: { n: number; log?: (s: string) => void }): LibvirtMemory {
  const log = opts.log ?? (() => {});
  const { daemonPid, roomFor, end } = beginMeasure();
  const names: string[] = [];
  try {
    roomFor(opts.n);
    for (let i = 0; i < opts.n; i++) {
      const name = `vnb${String(i).padStart(3, '0')}`;
      virsh('net-define', natFile(dir, name, 230 + Math.floor(i / 250), i % 250));
      names.push(name);
      virsh('net-start', name);
    }
    log(`libvirt: ${opts.n} networks started; measuring`);
    const pids = netnsPids(NETNS).filter((p) => p !== daemonPid);
    return { n: opts.n, daemon: groupMemory([daemonPid]), total: groupMemory([daemonPid, ...pids]), dnsmasqProcesses: pids.length };
  } finally {
    log('libvirt: destroying and undefining them');
    for (const name of names) {
      spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'net-destroy', name], { stdio: 'ignore' });
      spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'net-undefine', name], { stdio: 'ignore' });
    }
    end();
  }
}

function refuseOurNames(): void {
  const existing = spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'net-list', '--all', '--name'], { encoding: 'utf8' }).stdout;
  if (/^vnb\d+$|^vnbcyc$/m.test(existing)) throw new Error('libvirt anchor already has vnb* networks; refusing to touch them');
}

/** Run the workloads (cycle × cycles, then n NAT+DHCP networks) against the running anchor. */
export function measureLibvirt(dir: string, opts: { cycles: number; n: number; log?: (s: string) => void }): LibvirtLive {
  const log = opts.log ?? (() => {});
  const { daemonPid, roomFor, end } = beginMeasure();
  const names: string[] = [];
  try {
    // (a) the cycle
    const f = natFile(dir, 'vnbcyc', 230, 250);
    const steps: number[][] = [[], [], [], []];
    for (let i = 0; i < opts.cycles; i++) {
      steps[0]!.push(virsh('net-define', f));
      steps[1]!.push(virsh('net-start', 'vnbcyc'));
      steps[2]!.push(virsh('net-destroy', 'vnbcyc'));
      steps[3]!.push(virsh('net-undefine', 'vnbcyc'));
    }
    const cycles = steps[0]!.map((_, i) => steps.reduce((a, s) => a + s[i]!, 0));
    log(`libvirt (a) cycle median ${median(cycles).toFixed(1)} ms`);

    // (b) n networks
    roomFor(opts.n);
    const per: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < opts.n; i++) {
      const name = `vnb${String(i).padStart(3, '0')}`;
      const file = natFile(dir, name, 230 + Math.floor(i / 250), i % 250);
      const one = virsh('net-define', file);
      names.push(name);
      per.push(one + virsh('net-start', name));
    }
    const startTotalMs = performance.now() - t0;
    log(`libvirt (b) ${opts.n} started in ${(startTotalMs / 1000).toFixed(2)} s`);
    const pids = netnsPids(NETNS);
    const daemon = groupMemory([daemonPid]);
    const total = groupMemory([daemonPid, ...pids.filter((p) => p !== daemonPid)]);
    const t1 = performance.now();
    const destroys: number[] = [];
    for (const name of names) destroys.push(virsh('net-destroy', name));
    const destroyTotalMs = performance.now() - t1;
    log(`libvirt destroy ${opts.n}: ${(destroyTotalMs / 1000).toFixed(2)} s`);
    const t2 = performance.now();
    for (const name of names.splice(0)) virsh('net-undefine', name);
    const undefineTotalMs = performance.now() - t2;
    return {
      cycleMs: median(cycles),
      stepsMs: steps.map(median) as [number, number, number, number],
      n: opts.n,
      startTotalMs,
      first10Ms: mean(per.slice(0, 10)),
      last10Ms: mean(per.slice(-10)),
      destroyTotalMs,
      destroyMedianMs: median(destroys),
      undefineTotalMs,
      daemon,
      total,
      dnsmasqProcesses: pids.filter((p) => p !== daemonPid).length,
    };
  } finally {
    for (const name of [...names, 'vnbcyc']) {
      spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'net-destroy', name], { stdio: 'ignore' });
      spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'net-undefine', name], { stdio: 'ignore' });
    }
    end();
  }
}
