/**
 * Daemons with pid files, started inside the bound namespace, as libvirt runs
 * dnsmasq: the program daemonizes itself, we wait for the starting process to
 * exit (a non-zero status is an error carrying its stderr), then for the pid
 * file to name a live process. The daemon then outlives us and a later process
 * adopts it by its pid file.
 *
 * Identity before action: a pid counts as our daemon only if the process is
 * alive (a zombie is not), runs the expected program (basename of
 * /proc/PID/exe, or of argv[0]) and lives in the bound network namespace
 * (/proc/PID/ns/net is the same namespace). Signals go to one PID only —
 * never a process group, never by name.
 */
import { readFile, readlink, stat, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { VirError } from '../util/errors.js';
import { childProcessError, statusText } from './errors.js';
import { type NetnsBinding, inNetnsArgv, netnsPath } from './netns.js';
import type { CommandRunner } from './runner.js';

export interface DaemonSpec {
  /** The program and its arguments; it must daemonize and write `pidFile`. */
  argv: readonly string[];
  pidFile: string;
  env?: Readonly<Record<string, string>>;
  /** How long to wait for the starter to exit and the pid file to appear; default 10 000 ms. */
  timeoutMs?: number;
  /**
   * The caller has already removed any stale pid file: start the program
   * at once, in the same tick (when several processes are started
   * together, the one on the critical path goes first).
   */
  pidFileRemoved?: boolean;
}

export interface ProcessInfo {
  pid: number;
  /** State letter from /proc/PID/stat: R, S, D, Z, T… */
  state: string;
  /** Resolved executable (" (deleted)" removed), when readable. */
  exe?: string;
  argv: string[];
  /** Inode of the process's network namespace. */
  netnsInode?: number;
}

export type DaemonSignal = 'SIGHUP' | 'SIGTERM' | 'SIGKILL';

export interface Processes {
  /** Start a daemon in the namespace and return its pid (read from its pid file). */
  startDaemon(spec: DaemonSpec): Promise<number>;
  /**
   * Run a program that checks something and exits (`dnsmasq --test`) in the
   * namespace: undefined when it exits 0, else what it said (stderr, else
   * stdout, else how it ended).
   */
  check(argv: readonly string[]): Promise<string | undefined>;
  /** The pid in a pid file, or undefined when the file is missing or holds no pid. */
  readPidFile(path: string): Promise<number | undefined>;
  /** What /proc says about a pid, or undefined when there is no such process. */
  info(pid: number): Promise<ProcessInfo | undefined>;
  /** Alive, running `program` (basename) and inside the bound namespace. */
  isRunning(pid: number, program: string): Promise<boolean>;
  /** Send a signal to one pid; false when there is no such process. */
  signal(pid: number, signal: DaemonSignal): Promise<boolean>;
  /** TERM, wait, then KILL if needed — only if the pid is still `program` in our namespace. */
  stop(pid: number, program: string, opts?: { timeoutMs?: number }): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Throws unless pid is a single positive process id (0 and negatives address groups). */
export function checkPid(pid: number): number {
  if (!Number.isInteger(pid) || pid <= 1) throw new VirError('INTERNAL_ERROR', `invalid process id ${pid}`);
  return pid;
}

/** The state letter in a /proc/PID/stat line (after the last ')', since comm may hold parentheses). */
export function parseStatState(stat: string): string {
  const close = stat.lastIndexOf(')');
  return stat
    .slice(close + 1)
    .trim()
    .charAt(0);
}

/** Parse pid file text: a positive integer, surrounding whitespace allowed. */
export function parsePidFile(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const pid = Number(t);
  return pid > 1 ? pid : undefined;
}

/** Inode in a namespace link text such as "net:[4026532247]". */
function nsInode(link: string): number | undefined {
  const m = /\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/** Remove a daemon's pid file before starting it (a missing file is fine). */
export async function removeStalePidFile(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw new VirError('SYSTEM_ERROR', `Failed to remove stale pid file '${path}': ${e.message}`);
  });
}

export class LinuxProcesses implements Processes {
  private ourInode: Promise<number> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly netns: NetnsBinding,
    /** Starts daemons in the namespace from a zygote where it can (zygote.ts); else they run through `runner` and nsenter. */
    private readonly zygote?: CommandRunner,
  ) {}

  /** Inode of the bound namespace. */
  private namespaceInode(): Promise<number> {
    this.ourInode ??= (async () => {
      if (this.netns !== null) return (await stat(netnsPath(this.netns))).ino;
      return nsInode(await readlink('/proc/self/ns/net')) ?? -1;
    })();
    return this.ourInode;
  }

  async check(argv: readonly string[]): Promise<string | undefined> {
    const program = argv[0];
    if (program === undefined) throw new VirError('INTERNAL_ERROR', 'empty command line');
    const result = await this.runner.run({ argv: inNetnsArgv(this.netns, argv) });
    if (result.exitCode === 0) return undefined;
    if (/failed to execute .*No such file or directory/.test(result.stderr)) {
      throw new VirError('SYSTEM_ERROR', `Unable to find '${program}' binary in $PATH`);
    }
    return result.stderr.trim() || result.stdout.trim() || statusText(result);
  }

  async startDaemon(spec: DaemonSpec): Promise<number> {
    const timeoutMs = spec.timeoutMs ?? 10_000;
    const program = spec.argv[0];
    if (program === undefined) throw new VirError('INTERNAL_ERROR', 'empty daemon command line');
    if (!spec.pidFileRemoved) await removeStalePidFile(spec.pidFile);
    const runSpec: Parameters<CommandRunner['run']>[0] = { argv: spec.argv, resolveOnExit: true, timeoutMs };
    if (spec.env) runSpec.env = spec.env;
    const result = this.zygote ? await this.zygote.run(runSpec) : await this.runner.run({ ...runSpec, argv: inNetnsArgv(this.netns, spec.argv) });
    if (result.exitCode !== 0) {
      if (/failed to execute .*No such file or directory/.test(result.stderr)) {
        throw new VirError('SYSTEM_ERROR', `Unable to find '${program}' binary in $PATH`);
      }
      throw childProcessError({ ...result, argv: spec.argv }, spec.env);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pid = await this.readPidFile(spec.pidFile);
      if (pid !== undefined) {
        const info = await this.info(pid);
        if (info && info.state !== 'Z' && info.state !== 'X') return pid;
        throw new VirError('INTERNAL_ERROR', `${basename(program)} exited right after starting (pid ${pid})`);
      }
      if (Date.now() >= deadline) {
        throw new VirError('INTERNAL_ERROR', `Timed out waiting for pid file '${spec.pidFile}' of ${basename(program)}`);
      }
      await sleep(10);
    }
  }

  async readPidFile(path: string): Promise<number | undefined> {
    try {
      return parsePidFile(await readFile(path, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new VirError('SYSTEM_ERROR', `Unable to read pid file '${path}': ${(e as Error).message}`);
    }
  }

  async info(pid: number): Promise<ProcessInfo | undefined> {
    checkPid(pid);
    let statText: string;
    try {
      statText = await readFile(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    const info: ProcessInfo = { pid, state: parseStatState(statText), argv: [] };
    const [exe, cmdline, ns] = await Promise.allSettled([
      readlink(`/proc/${pid}/exe`),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
      readlink(`/proc/${pid}/ns/net`),
    ]);
    if (exe.status === 'fulfilled') info.exe = exe.value.replace(/ \(deleted\)$/, '');
    if (cmdline.status === 'fulfilled') {
      // NUL padding after the last argument: a daemon forked from a zygote (zygote.ts) owns a larger argument area.
      const text = cmdline.value.replace(/\0+$/, '');
      info.argv = text === '' ? [] : text.split('\0');
    }
    if (ns.status === 'fulfilled') {
      const ino = nsInode(ns.value);
      if (ino !== undefined) info.netnsInode = ino;
    }
    return info;
  }

  async isRunning(pid: number, program: string): Promise<boolean> {
    const info = await this.info(pid);
    if (!info || info.state === 'Z' || info.state === 'X') return false;
    const isProgram = (info.exe !== undefined && basename(info.exe) === program) || basename(info.argv[0] ?? '') === program;
    if (!isProgram) return false;
    return info.netnsInode === (await this.namespaceInode());
  }

  async signal(pid: number, signal: DaemonSignal): Promise<boolean> {
    checkPid(pid);
    try {
      process.kill(pid, signal);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw new VirError('SYSTEM_ERROR', `Failed to send ${signal} to process ${pid}: ${(e as Error).message}`);
    }
  }

  async stop(pid: number, program: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!(await this.isRunning(pid, program))) return;
    await this.signal(pid, 'SIGTERM');
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    while (Date.now() < deadline) {
      if (!(await this.isRunning(pid, program))) return;
      await sleep(10);
    }
    if (!(await this.isRunning(pid, program))) return;
    await this.signal(pid, 'SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline) {
      if (!(await this.isRunning(pid, program))) return;
      await sleep(10);
    }
    throw new VirError('SYSTEM_ERROR', `Failed to terminate process ${pid} with SIGKILL`);
  }
}
