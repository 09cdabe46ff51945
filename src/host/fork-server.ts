/**
 * A CommandRunner that starts commands from a small long-lived `sh` instead
 * of from Node.js itself.
 *
 * Why: Node starts a process by fork()ing itself, and fork() copies the page
 * tables of the whole process while the event loop waits — ~1 ms for a
 * 50 MiB Node, ~8 ms at 250 MiB (measured with Node 20 / libuv 1.46 here).
 * A network start runs four commands and a daemon holding many networks is
 * not small, so this was the largest cost of a start that Node itself paid.
 * Here Node only writes a tiny job script and one line to the server's
 * stdin; the server (dash, ~1 MiB) forks, and the job execs the program.
 *
 * Semantics are ExecRunner's: an argv array (no shell interpretation of the
 * arguments: each is single-quoted in the job script), optional stdin text,
 * extra environment, LC_ALL=C, stdout/stderr captured, a SIGKILL after
 * `timeoutMs`, "Unable to find 'X' binary in $PATH" for a missing program,
 * and the same log entries. Output goes through files in a private 0700
 * directory, so a program that daemonizes (dnsmasq) cannot hold a pipe open:
 * its job ends when the started process exits, which is what
 * `resolveOnExit` asks of ExecRunner. An exit status above 128 that names a
 * signal is reported as that signal, as the shell reports a killed child.
 *
 * A command whose job directory or files cannot be written (a full or
 * vanished temp directory) is started from Node by ExecRunner instead.
 *
 * The server starts with the first command and ends after a second without
 * any (its directory goes with it), so an idle daemon or a finished test
 * keeps no process; it holds Node's event loop open only while commands run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirError } from '../util/errors.js';
import { shQuote } from './sysctl.js';
import { type CommandLogger, type CommandResult, type CommandRunner, type CommandSpec, ExecRunner, logEntryFor } from './runner.js';

/**
 * The server: for each id read from stdin, a background subshell sources the
 * job script in a subshell of its own (a fork of dash, no exec of a new
 * shell), which ends by exec'ing the program; it prints "ID pid PID" when the
 * program's process exists and "ID STATUS" when it has ended. At end of
 * input (Node ended it, or Node itself exited) it waits for its jobs and
 * removes its directory, so even a process that exits right after a command
 * leaves nothing in the temp directory.
 */
const SERVER_SCRIPT = 'd=$1\nwhile IFS= read -r id; do\n  { ( . "$d/$id.sh" ) & echo "$id pid $!"; wait $!; echo "$id $?"; } &\ndone\nwait\nrm -rf -- "$d"\n';

const IDLE_MS = 1000;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));

interface Job {
  spec: CommandSpec;
  files: { script: string; input: string; out: string; err: string; missing: string };
  pid?: number;
  started: number;
  timer: NodeJS.Timeout;
  timedOut?: boolean;
  resolve: (r: CommandResult) => void;
  reject: (e: unknown) => void;
}

interface Server {
  child: ChildProcess;
  dir: string;
  jobs: Map<number, Job>;
  buffered: string;
}

type Refable = { ref?: () => void; unref?: () => void } | null;

/** The server holds Node's event loop open only while it runs commands (as a child process of ExecRunner would). */
function setRef(server: Server, on: boolean): void {
  for (const h of [server.child, server.child.stdin, server.child.stdout] as unknown as Refable[]) {
    if (on) h?.ref?.();
    else h?.unref?.();
  }
}

export class ForkServerRunner implements CommandRunner {
  private server: Server | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  /** For a command the server cannot take (its directory or job files cannot be written). */
  private readonly fallback: ExecRunner;

  constructor(
    private readonly logger: CommandLogger = () => {},
    /** Where the server's private directory is made (tests); the system's temp directory by default. */
    private readonly baseDir: string = tmpdir(),
  ) {
    this.fallback = new ExecRunner(logger);
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    const [program] = spec.argv;
    if (program === undefined) return Promise.reject(new VirError('INTERNAL_ERROR', 'empty command line'));
    let server: Server;
    try {
      server = this.ensureServer();
    } catch {
      return this.fallback.run(spec);
    }
    const id = this.nextId++;
    const base = join(server.dir, String(id));
    const files = { script: `${base}.sh`, input: `${base}.in`, out: `${base}.out`, err: `${base}.err`, missing: `${base}.missing` };
    const lines = [`exec >${shQuote(files.out)} 2>${shQuote(files.err)}`, "export LC_ALL='C'"];
    for (const [k, v] of Object.entries(spec.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return Promise.reject(new VirError('INTERNAL_ERROR', `bad environment variable name '${k}'`));
      lines.push(`export ${k}=${shQuote(v)}`);
    }
    lines.push(`command -v ${shQuote(program)} >/dev/null 2>&1 || { : >${shQuote(files.missing)}; exit 127; }`);
    const input = spec.input !== undefined && spec.input !== '' ? spec.input : undefined;
    lines.push(`exec ${spec.argv.map(shQuote).join(' ')} <${input !== undefined ? shQuote(files.input) : '/dev/null'}`);
    try {
      if (input !== undefined) writeFileSync(files.input, input, { mode: 0o600 });
      writeFileSync(files.script, `${lines.join('\n')}\n`, { mode: 0o600 });
    } catch {
      // No room for the job's files (a full or vanished temp directory): start it from Node as before.
      for (const path of [files.input, files.script]) rmSync(path, { force: true });
      return this.fallback.run(spec);
    }
    return new Promise<CommandResult>((resolve, reject) => {
      const job: Job = { spec, files, started: performance.now(), timer: setTimeout(() => this.kill(job), spec.timeoutMs ?? 30_000), resolve, reject };
      job.timer.unref();
      if (this.idleTimer !== undefined) {
        clearTimeout(this.idleTimer);
        this.idleTimer = undefined;
      }
      server.jobs.set(id, job);
      if (server.jobs.size === 1) setRef(server, true);
      server.child.stdin?.write(`${id}\n`);
    });
  }

  /** SIGKILL a job's program, by the PID the server reported (a job not started yet is killed when it reports it). */
  private kill(job: Job): void {
    job.timedOut = true;
    if (job.pid === undefined) return;
    try {
      process.kill(job.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  private ensureServer(): Server {
    if (this.server !== undefined) return this.server;
    const dir = mkdtempSync(join(this.baseDir, 'vnt-run-'));
    let child: ChildProcess;
    try {
      child = spawn('sh', ['-c', SERVER_SCRIPT, 'sh', dir], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const server: Server = { child, dir, jobs: new Map(), buffered: '' };
    setRef(server, false);
    child.stdin?.on('error', () => {});
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onOutput(server, chunk));
    child.on('error', (err) => this.onServerGone(server, err));
    // 'close', not 'exit': the last "ID STATUS" lines may still be in the pipe when the shell exits.
    child.on('close', () => this.onServerGone(server));
    this.server = server;
    return server;
  }

  private onOutput(server: Server, chunk: string): void {
    server.buffered += chunk;
    let nl: number;
    while ((nl = server.buffered.indexOf('\n')) >= 0) {
      const line = server.buffered.slice(0, nl);
      server.buffered = server.buffered.slice(nl + 1);
      const m = /^(\d+) (pid )?(\d+)$/.exec(line);
      if (!m) continue;
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
    for (const path of Object.values(job.files)) {
      try {
        unlinkSync(path);
      } catch {
        /* never written */
      }
    }
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
    };
    this.logger(logEntryFor(job.spec, result));
    job.resolve(result);
  }

  private scheduleIdle(server: Server): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.server !== server || server.jobs.size > 0) return;
      // From here on new commands get a new server; this one ends when it reads EOF.
      this.server = undefined;
      server.child.stdin?.end();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private onServerGone(server: Server, err?: Error): void {
    if (this.server === server) this.server = undefined;
    for (const [id, job] of server.jobs) {
      server.jobs.delete(id);
      clearTimeout(job.timer);
      const program = job.spec.argv[0] as string;
      job.reject(new VirError('SYSTEM_ERROR', `Cannot run '${program}': the command server ended${err ? ` (${err.message})` : ''}`));
    }
    rmSync(server.dir, { recursive: true, force: true });
  }
}
