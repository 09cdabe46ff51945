/**
 * Daemons of one program (dnsmasq) forked from a zygote instead of exec'd
 * one by one. The zygote is one process of the program with
 * virtnet-zygote.so preloaded (zygote/zygote.c, built by scripts/build.mjs
 * into dist/): it stops before the program's main(), after the dynamic
 * linker has relocated the program's libraries, and forks a daemon per
 * request. Every exec'd dnsmasq holds its own relocated copy of the ~20
 * libraries Debian's dnsmasq links (~0.35 MiB of the ~0.5 MiB it does not
 * share); forks of the zygote share one (docs/network-runtime.md).
 *
 * A ZygoteRunner runs `PROGRAM ARG` in the bound namespace with the
 * semantics of starting it through the command runner (`nsenter --net=…
 * PROGRAM ARG`, resolveOnExit): exit status, stdout and stderr of the
 * started process, a SIGKILL after the timeout, the same log entry. The
 * job protocol and the zygote's idle end are job-server.ts's. Commands it
 * does not take — another program, other arguments, stdin or environment,
 * an argument it has no room for — go to the fallback runner (nsenter, as
 * before). So does every command once the zygote cannot be had, and the
 * log says why (docs/network-runtime.md lists the cases): the library is
 * missing (LinuxHost), it was not loaded (a static program, a refused
 * preload: the zygote ends or is killed without saying ready), a job it
 * could not start (refused), a zygote that keeps dying, LD_PRELOAD set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { type BuiltFileLookup, builtFileDirs, findBuiltFile } from './built-files.js';
import { type Job, type JobFiles, type JobServer, JobServerRunner } from './job-server.js';
import { type NetnsBinding, inNetnsArgv, netnsPath } from './netns.js';
import type { CommandLogger, CommandResult, CommandRunner, CommandSpec } from './runner.js';

/** The library's file name in dist/. */
const ZYGOTE_LIBRARY_NAME = 'virtnet-zygote.so';

/** Room for the argument (a --conf-file= path of up to PATH_MAX), as the length of the zygote's placeholder. */
const ARGUMENT_ROOM = 4200;
const PLACEHOLDER = 'virtnet-zygote'.padEnd(ARGUMENT_ROOM, ' ');

/**
 * The library virtnet uses: VIRTNET_ZYGOTE_LIBRARY when set (empty: none),
 * else virtnet-zygote.so in one of `dirs` (where the build puts it).
 */
export function findZygoteLibrary(env: NodeJS.ProcessEnv = process.env, dirs: readonly string[] = builtFileDirs()): BuiltFileLookup {
  return findBuiltFile(ZYGOTE_LIBRARY_NAME, 'VIRTNET_ZYGOTE_LIBRARY', env, dirs);
}

/** What the log says whenever dnsmasq is started without its zygote for good. */
export function withoutZygote(program: string, why: string): string {
  return `${why}; starting ${program} as a new program each time (it works the same, but each takes ~0.35 MiB more memory)`;
}

interface ZygoteRunnerOptions {
  /** The program the zygote is made of; only its commands go through it. */
  program: string;
  /** Path of virtnet-zygote.so. */
  library: string;
  netns: NetnsBinding;
  /** Runs what the zygote does not take, in the namespace through nsenter. */
  fallback: CommandRunner;
  logger?: CommandLogger;
  /**
   * Told when the fallback takes over: once for good (the zygote cannot
   * start, cannot start the program, or virtnetd runs with LD_PRELOAD set),
   * and whenever a zygote ends unexpectedly (the next start makes a new one).
   */
  onWarning?: (message: string) => void;
  /** Where the zygote's private directory is made (tests); the system's temp directory by default. */
  baseDir?: string;
}

const FIELD = /^[^\t\n]*$/;

/** How long a zygote may take to say it is ready before it is killed and the fallback takes over. */
const READY_MS = 5000;
/** After this many zygotes ended unexpectedly, the fallback takes over for good. */
const MAX_DEATHS = 3;

/** What is known of one zygote process: its stderr until ready (the dynamic linker's complaints), how it ended. */
interface ZygoteState {
  stderr: string;
  ended?: string;
  readyTimer?: NodeJS.Timeout;
}

export class ZygoteRunner extends JobServerRunner {
  private unavailable = false;
  private deaths = 0;
  private readonly states = new WeakMap<ChildProcess, ZygoteState>();

  constructor(private readonly options: ZygoteRunnerOptions) {
    super(options.logger ?? (() => {}), options.baseDir ?? tmpdir(), 'vnt-zygote-');
  }

  /** From now on every command goes to the fallback; the log says why, once. */
  private giveUp(why: string): void {
    if (this.unavailable) return;
    this.unavailable = true;
    this.options.onWarning?.(withoutZygote(this.options.program, why));
  }

  protected override takes(spec: CommandSpec): boolean {
    const [program, arg] = spec.argv;
    if (this.unavailable || program !== this.options.program) return false;
    if (process.env['LD_PRELOAD'] !== undefined) {
      // The zygote's own preload would replace it, and the programs it forks would run without it.
      this.giveUp(`LD_PRELOAD is set in virtnetd's environment, which the ${program} zygote cannot pass on`);
      return false;
    }
    return (
      spec.argv.length === 2 &&
      arg !== undefined &&
      FIELD.test(arg) &&
      Buffer.byteLength(arg) < ARGUMENT_ROOM &&
      spec.env === undefined &&
      (spec.input ?? '') === ''
    );
  }

  protected spawnServer(dir: string): ChildProcess {
    const env = { ...process.env, LC_ALL: 'C', LD_PRELOAD: this.options.library, VIRTNET_ZYGOTE_DIR: dir };
    const child = spawn(this.options.program, [PLACEHOLDER], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const state: ZygoteState = { stderr: '' };
    this.states.set(child, state);
    // A program that never says ready (it ignored the library and waits for something) is not waited for.
    state.readyTimer = setTimeout(() => {
      state.ended = `it did not say it was ready within ${READY_MS / 1000} s`;
      child.kill('SIGKILL');
    }, READY_MS);
    state.readyTimer.unref();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (state.stderr.length < 2000) state.stderr += chunk;
    });
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    child.on('exit', (code, signal) => {
      clearTimeout(state.readyTimer);
      state.ended ??= signal !== null ? `killed by ${signal}` : `exit status ${code}`;
    });
    return child;
  }

  protected request(id: number, spec: CommandSpec, files: JobFiles): string {
    const netns = this.options.netns === null ? '' : netnsPath(this.options.netns);
    const fields = [String(id), netns, files.out, files.err, spec.argv[1] as string];
    if (!fields.every((f) => FIELD.test(f))) throw new Error('a field holds a tab or a newline');
    return fields.join('\t');
  }

  protected fallback(spec: CommandSpec): Promise<CommandResult> {
    return this.options.fallback.run({ ...spec, argv: inNetnsArgv(this.options.netns, spec.argv) });
  }

  protected override onOtherLine(server: JobServer, line: string): void {
    if (line !== 'ready') return;
    server.ready = true;
    const state = this.states.get(server.child);
    if (state !== undefined) clearTimeout(state.readyTimer);
  }

  /** The zygote could not make this job its program (a descriptor, the namespace, a fork): that will not get better. */
  protected override onRefused(job: Job, reason: string): void {
    this.giveUp(`the ${this.options.program} zygote could not start ${this.options.program} (${reason})`);
    super.onRefused(job, reason);
  }

  /**
   * A zygote that never said ready (no library loaded, a program that
   * ignores it, a crash): its jobs, and all later ones, go to the fallback.
   * One that ended later: the jobs it had not started yet go to the
   * fallback; one whose program it had started, and whose report was lost
   * with it, fails as an exec'd start whose process was killed would.
   */
  protected override onLost(server: JobServer, jobs: Job[], err?: Error): void {
    const program = this.options.program;
    const state = this.states.get(server.child);
    const why = [err?.message, state?.ended, state?.stderr.trim().replace(/\s*\n\s*/g, ' ')].filter((w) => w !== undefined && w !== '').join('; ');
    if (!server.ready) {
      this.giveUp(`the ${program} zygote did not start${why ? ` (${why})` : ''}`);
    } else {
      this.deaths++;
      if (this.deaths >= MAX_DEATHS) this.giveUp(`the ${program} zygote ended unexpectedly ${this.deaths} times (last: ${why || 'unknown'})`);
      else
        this.options.onWarning?.(
          `the ${program} zygote ended unexpectedly (${why || 'unknown'}); the starts it had not begun are made without it, and the next start makes a new zygote`,
        );
      super.onLost(
        server,
        jobs.filter((job) => job.pid !== undefined),
        err,
      );
    }
    for (const job of jobs) if (!server.ready || job.pid === undefined) this.fallback(job.spec).then(job.resolve, job.reject);
  }
}
