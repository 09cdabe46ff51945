/**
 * What the runners that hand commands to a long-lived helper process share
 * (fork-server.ts: a `sh`; zygote.ts: a preloaded dnsmasq), so that Node
 * never forks itself to start a command.
 *
 * The helper takes one request line per job on its stdin and answers on its
 * stdout "ID pid PID" once the job's process exists and "ID STATUS" when it
 * has ended (an exit status above 128 that names a signal is reported as
 * that signal, as a shell reports a killed child), or "ID refused REASON"
 * when it could not start the job's program at all: that job goes to the
 * subclass's fallback, and later lines about it are ignored. The job's stdout and
 * stderr go through files in a private 0700 directory, so a program that
 * daemonizes cannot hold a pipe open: its job ends when the started process
 * exits (ExecRunner's `resolveOnExit`). A job is SIGKILLed by the PID the
 * helper reported after `timeoutMs`; every finished job is logged as
 * ExecRunner logs it.
 *
 * The helper starts with the first job and is ended (its stdin closed)
 * after a second without any, so an idle process or a finished test keeps
 * no helper; it holds Node's event loop open only while jobs run. A job the
 * helper cannot take goes to the subclass's fallback.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { readdir, readlink, rm } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { VirError } from '../util/errors.js';
import { type CommandLogger, type CommandResult, type CommandRunner, type CommandSpec, logEntryFor } from './runner.js';

const IDLE_MS = 1000;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));

/** A job's files in the helper's directory; `missing` exists when the program was not found. */
export interface JobFiles {
  script: string;
  input: string;
  out: string;
  err: string;
  missing: string;
}

export interface Job {
  spec: CommandSpec;
  files: JobFiles;
  pid?: number;
  started: number;
  timer: NodeJS.Timeout;
  timedOut?: boolean;
  resolve: (r: CommandResult) => void;
  reject: (e: unknown) => void;
}

export interface JobServer {
  child: ChildProcess;
  dir: string;
  jobs: Map<number, Job>;
  buffered: string;
  /** Set by a subclass once the helper has said it is ready (zygote.ts). */
  ready?: boolean;
}

type Refable = { ref?: () => void; unref?: () => void } | null;

/** The helper holds Node's event loop open only while it runs jobs (as a child process of ExecRunner would). */
function setRef(server: JobServer, on: boolean): void {
  for (const h of [server.child, server.child.stdin, server.child.stdout] as unknown as Refable[]) {
    if (on) h?.ref?.();
    else h?.unref?.();
  }
}

export abstract class JobServerRunner implements CommandRunner {
  private server: JobServer | undefined;
  private nextId = 1;

  /** The private directory of the running helper, if one runs. */
  get helperDir(): string | undefined {
    return this.server?.dir;
  }

  /** The pid of the running helper, if one runs. */
  get helperPid(): number | undefined {
    return this.server?.child.pid;
  }
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly logger: CommandLogger,
    /** Where the helper's private directory is made. */
    private readonly baseDir: string,
    /** The directory's name prefix. */
    private readonly prefix: string,
  ) {}

  /** Start the helper, given its private directory. */
  protected abstract spawnServer(dir: string): ChildProcess;

  /** Write what the job needs into its files and return its request line; throws when they cannot be written. */
  protected abstract request(id: number, spec: CommandSpec, files: JobFiles): string;

  /** Run a command this helper does not take, or cannot. */
  protected abstract fallback(spec: CommandSpec): Promise<CommandResult>;

  /** Whether the helper takes this command at all. */
  protected takes(_spec: CommandSpec): boolean {
    return true;
  }

  /** The helper could not start this job's program (it never ran): by default it is started by the fallback. */
  protected onRefused(job: Job, _reason: string): void {
    this.fallback(job.spec).then(job.resolve, job.reject);
  }

  /** A line of the helper's that answers no job. */
  protected onOtherLine(_server: JobServer, _line: string): void {}

  /** The helper ended while these jobs were pending: they fail, unless a subclass knows better. */
  protected onLost(server: JobServer, jobs: Job[], err?: Error): void {
    void server;
    for (const job of jobs) {
      const program = job.spec.argv[0] as string;
      job.reject(new VirError('SYSTEM_ERROR', `Cannot run '${program}': the command server ended${err ? ` (${err.message})` : ''}`));
    }
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    const [program] = spec.argv;
    if (program === undefined) return Promise.reject(new VirError('INTERNAL_ERROR', 'empty command line'));
    if (!this.takes(spec)) return this.fallback(spec);
    let server: JobServer;
    try {
      server = this.ensureServer();
    } catch {
      return this.fallback(spec);
    }
    const id = this.nextId++;
    const base = join(server.dir, String(id));
    const files: JobFiles = { script: `${base}.sh`, input: `${base}.in`, out: `${base}.out`, err: `${base}.err`, missing: `${base}.missing` };
    let line: string;
    try {
      line = this.request(id, spec, files);
    } catch {
      // No room for the job's files (a full or vanished temp directory): start it another way.
      for (const path of [files.input, files.script]) rmSync(path, { force: true });
      return this.fallback(spec);
    }
    return new Promise<CommandResult>((resolve, reject) => {
      const job: Job = {
        spec,
        files,
        started: performance.now(),
        timer: setTimeout(() => this.kill(job), spec.timeoutMs ?? 30_000),
        resolve,
        reject,
      };
      job.timer.unref();
      if (this.idleTimer !== undefined) {
        clearTimeout(this.idleTimer);
        this.idleTimer = undefined;
      }
      server.jobs.set(id, job);
      if (server.jobs.size === 1) setRef(server, true);
      server.child.stdin?.write(`${line}\n`);
    });
  }

  /** SIGKILL a job's program, by the PID the helper reported (a job not started yet is killed when it reports it). */
  private kill(job: Job): void {
    job.timedOut = true;
    if (job.pid === undefined) return;
    try {
      process.kill(job.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  private ensureServer(): JobServer {
    if (this.server !== undefined) return this.server;
    mkdirSync(this.baseDir, { recursive: true, mode: 0o700 });
    const dir = mkdtempSync(join(this.baseDir, this.prefix));
    let child: ChildProcess;
    try {
      child = this.spawnServer(dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const server: JobServer = { child, dir, jobs: new Map(), buffered: '' };
    setRef(server, false);
    child.stdin?.on('error', () => {});
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onOutput(server, chunk));
    child.on('error', (err) => this.onServerGone(server, err));
    // 'close', not 'exit': the last "ID STATUS" lines may still be in the pipe when the helper exits.
    child.on('close', () => this.onServerGone(server));
    this.server = server;
    return server;
  }

  private onOutput(server: JobServer, chunk: string): void {
    server.buffered += chunk;
    let nl: number;
    // biome-ignore lint/suspicious/noAssignInExpressions: the classic read-while-found loop; nl is the line's end inside the body
    while ((nl = server.buffered.indexOf('\n')) >= 0) {
      const line = server.buffered.slice(0, nl);
      server.buffered = server.buffered.slice(nl + 1);
      const refused = /^(\d+) refused (.*)$/.exec(line);
      if (refused) {
        const job = server.jobs.get(Number(refused[1]));
        if (!job) continue;
        server.jobs.delete(Number(refused[1]));
        clearTimeout(job.timer);
        this.removeFiles(job);
        this.onRefused(job, refused[2] as string);
        continue;
      }
      const m = /^(\d+) (pid )?(\d+)$/.exec(line);
      if (!m) {
        this.onOtherLine(server, line);
        continue;
      }
      const id = Number(m[1]);
      const job = server.jobs.get(id);
      if (!job) continue;
      if (m[2] !== undefined) {
        job.pid = Number(m[3]);
        if (job.timedOut) this.kill(job);
        continue;
      }
      server.jobs.delete(id);
      this.finish(job, Number(m[3]));
    }
    if (server.jobs.size === 0) {
      setRef(server, false);
      if (this.server === server) this.scheduleIdle(server);
    }
  }

  private finish(job: Job, status: number): void {
    clearTimeout(job.timer);
    const read = (path: string): string => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    const missing = existsSync(job.files.missing);
    const stdout = read(job.files.out);
    const stderr = read(job.files.err);
    this.removeFiles(job);
    const program = job.spec.argv[0] as string;
    if (missing) {
      job.reject(new VirError('SYSTEM_ERROR', `Unable to find '${program}' binary in $PATH`));
      return;
    }
    const signal = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
    const result: CommandResult = {
      argv: job.spec.argv,
      exitCode: signal !== undefined ? null : status,
      signal: signal ?? null,
      stdout,
      stderr,
      durationMs: Math.round((performance.now() - job.started) * 1000) / 1000,
      ...(job.pid !== undefined ? { pid: job.pid } : {}),
    };
    this.logger(logEntryFor(job.spec, result));
    job.resolve(result);
  }

  private removeFiles(job: Job): void {
    for (const path of Object.values(job.files)) {
      try {
        unlinkSync(path);
      } catch {
        /* never written */
      }
    }
  }

  private scheduleIdle(server: JobServer): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.server !== server || server.jobs.size > 0) return;
      // From here on new jobs get a new helper; this one ends when it reads EOF.
      this.server = undefined;
      server.child.stdin?.end();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private onServerGone(server: JobServer, err?: Error): void {
    if (this.server === server) this.server = undefined;
    const pending = [...server.jobs.values()];
    server.jobs.clear();
    for (const job of pending) clearTimeout(job.timer);
    rmSync(server.dir, { recursive: true, force: true });
    if (pending.length > 0) this.onLost(server, pending, err);
  }
}

/**
 * After a process that ran helpers under `baseDir` was killed: wait (up to
 * `timeoutMs`) until the jobs it started have ended, then remove what its
 * helpers left in `baseDir`. A killed process's helper may outlive it, or
 * not (its reports to the dead process fail), but every job it started
 * writes its stdout and stderr to files in the helper's directory until it
 * ends (a daemon such as dnsmasq puts /dev/null there when it detaches), so
 * a process of another pid with one of those files open is a job still
 * running. Directories of this process's own helpers are left alone. Only
 * for a base directory no other live process uses (one per driver root).
 * Returns the pids waited for that were still there at the end.
 */
export async function settleJobs(baseDir: string, timeoutMs: number, ownDirs: readonly string[] = []): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir(baseDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const dirs = entries.map((e) => join(baseDir, e)).filter((d) => !ownDirs.includes(d));
  if (dirs.length === 0) return [];
  const prefix = `${baseDir}/`;
  const isJobFile = (target: string): boolean =>
    target.startsWith(prefix) && !target.endsWith(' (deleted)') && dirs.some((d) => target.startsWith(`${d}/`));
  const deadline = Date.now() + timeoutMs;
  let running = await pidsWithOpenFiles(isJobFile);
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    running = await pidsWithOpenFiles(isJobFile);
  }
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  return running;
}

/** Pids (not this process) whose stdin, stdout or stderr is a file `matches` accepts. */
async function pidsWithOpenFiles(matches: (target: string) => boolean): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  const found: number[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      for (const fd of [0, 1, 2]) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
        if (target !== undefined && matches(target)) {
          found.push(Number(pid));
          return;
        }
      }
    }),
  );
  return found.sort((a, b) => a - b);
}
