/**
 * One network's dnsmasq: its files under STATE/dnsmasq, the process started
 * in the bound namespace with a pid file in RUN/networks (so it outlives the
 * process that started it and a later driver adopts it), reloads by SIGHUP,
 * and stopping by PID.
 *
 * Files and permissions: dnsmasq reads its conf file once, as root, before
 * dropping privileges (to `nobody`), so the conf is written 0600 as libvirt
 * does. It reads the hostsfile, the addnhosts file and the servers file
 * *after* dropping privileges (and again on SIGHUP), so those are written
 * 0644 and the directories above them must be searchable by others; when
 * they are not (a private --root), dnsmasq keeps root (dnsmasq-user.ts).
 * Every file is replaced by rename, so dnsmasq never reads half a file.
 *
 * A pid counts as this network's dnsmasq only if it is alive, runs
 * `dnsmasq` and lives in the bound namespace (Host.processes.isRunning).
 */
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from '../../util/atomic-file.js';
import { removeStalePidFile, type Processes } from '../../host/processes.js';
import { configUnsupported } from '../../util/errors.js';
import type { DnsmasqPaths, DnsmasqRuntimePlan } from '../../plan/network-plan.js';
import type { AppliedDnsmasq } from './applied.js';

const DNSMASQ = 'dnsmasq';

/** Write a file by rename (no fsync: these files are rebuilt from the definition whenever needed). */
export async function replaceFile(path: string, data: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = tempPathFor(path);
  await writeFile(tmp, data, { mode, flag: 'wx' });
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Write the conf (0600), hostsfile and addnhosts (0644). */
export async function writeDnsmasqFiles(plan: DnsmasqRuntimePlan): Promise<void> {
  await Promise.all([
    replaceFile(plan.paths.conf, plan.files.conf, 0o600),
    replaceFile(plan.paths.hostsfile, plan.files.hostsfile, 0o644),
    replaceFile(plan.paths.addnhosts, plan.files.addnhosts, 0o644),
  ]);
}

/** Rewrite only the two files dnsmasq re-reads on SIGHUP. */
export async function writeReloadableFiles(plan: DnsmasqRuntimePlan): Promise<void> {
  await Promise.all([replaceFile(plan.paths.hostsfile, plan.files.hostsfile, 0o644), replaceFile(plan.paths.addnhosts, plan.files.addnhosts, 0o644)]);
}

export function appliedDnsmasq(plan: DnsmasqRuntimePlan, pid: number): AppliedDnsmasq {
  const p = plan.paths;
  return { pid, pidFile: p.pidFile, conf: p.conf, hostsfile: p.hostsfile, addnhosts: p.addnhosts, leaseFile: p.leaseFile };
}

export class DnsmasqControl {
  constructor(
    private readonly processes: Processes,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * Ask dnsmasq whether it accepts the plan's conf (`dnsmasq --test` on a
   * copy beside the conf), without touching the conf or the running
   * process. Throws dnsmasq's own message when it refuses.
   */
  async check(plan: DnsmasqRuntimePlan, networkName: string): Promise<void> {
    const conf = plan.paths.conf;
    await mkdir(dirname(conf), { recursive: true, mode: 0o755 });
    const copy = tempPathFor(conf);
    await writeFile(copy, plan.files.conf, { mode: 0o600, flag: 'wx' });
    let refusal: string | undefined;
    try {
      refusal = await this.processes.check([plan.argv[0] ?? DNSMASQ, '--test', `--conf-file=${copy}`]);
    } finally {
      await removeFile(copy);
    }
    if (refusal !== undefined) {
      throw configUnsupported(
        `dnsmasq refuses the new configuration of network '${networkName}': ${refusal.split(copy).join('the new configuration')}`,
      );
    }
  }

  /** Start dnsmasq on files already written; its pid. */
  async start(plan: DnsmasqRuntimePlan): Promise<AppliedDnsmasq> {
    await mkdir(dirname(plan.paths.pidFile), { recursive: true, mode: 0o755 });
    const pid = await this.processes.startDaemon({ argv: plan.argv, pidFile: plan.paths.pidFile, timeoutMs: this.timeoutMs });
    return appliedDnsmasq(plan, pid);
  }

  /**
   * Everything before the process itself, which does not need the bridge:
   * its files, the pid file's directory, no stale pid file. After this,
   * `startPrepared` starts the process in the same tick it is called.
   */
  async prepare(plan: DnsmasqRuntimePlan): Promise<void> {
    await Promise.all([writeDnsmasqFiles(plan), mkdir(dirname(plan.paths.pidFile), { recursive: true, mode: 0o755 })]);
    await removeStalePidFile(plan.paths.pidFile);
  }

  /** Start dnsmasq after `prepare`; its pid. */
  async startPrepared(plan: DnsmasqRuntimePlan): Promise<AppliedDnsmasq> {
    const pid = await this.processes.startDaemon({ argv: plan.argv, pidFile: plan.paths.pidFile, timeoutMs: this.timeoutMs, pidFileRemoved: true });
    return appliedDnsmasq(plan, pid);
  }

  /**
   * The pid of this network's live dnsmasq: the recorded one, else the one
   * in its pid file (dnsmasq restarted by a later process), else undefined.
   */
  async livePid(record: Pick<AppliedDnsmasq, 'pid' | 'pidFile'>): Promise<number | undefined> {
    if (record.pid > 1 && (await this.processes.isRunning(record.pid, DNSMASQ))) return record.pid;
    const fromFile = await this.processes.readPidFile(record.pidFile).catch(() => undefined);
    if (fromFile !== undefined && fromFile !== record.pid && (await this.processes.isRunning(fromFile, DNSMASQ))) return fromFile;
    return undefined;
  }

  /** SIGHUP: re-read hostsfile, addnhosts and servers file. False when it is not running. */
  async reload(record: Pick<AppliedDnsmasq, 'pid' | 'pidFile'>): Promise<boolean> {
    const pid = await this.livePid(record);
    if (pid === undefined) return false;
    return this.processes.signal(pid, 'SIGHUP');
  }

  /** TERM, wait, KILL if needed; then remove the pid file. */
  async stop(record: Pick<AppliedDnsmasq, 'pid' | 'pidFile'>): Promise<void> {
    const pids = new Set<number>();
    if (record.pid > 1) pids.add(record.pid);
    const fromFile = await this.processes.readPidFile(record.pidFile).catch(() => undefined);
    if (fromFile !== undefined) pids.add(fromFile);
    for (const pid of pids) await this.processes.stop(pid, DNSMASQ);
    await removeFile(record.pidFile);
  }
}

/** Every file of a network's dnsmasq that cleanup removes (conf, hostsfile, addnhosts, leases, pid file). */
export function dnsmasqFileList(paths: DnsmasqPaths): string[] {
  return [paths.conf, paths.hostsfile, paths.addnhosts, paths.leaseFile, paths.pidFile, paths.logFile];
}
