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
 * an argument it has no room for — and every command after the zygote
 * failed to start, go to the fallback runner as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Job, type JobFiles, type JobServer, JobServerRunner } from './job-server.js';
import { type NetnsBinding, inNetnsArgv, netnsPath } from './netns.js';
import type { CommandLogger, CommandResult, CommandRunner, CommandSpec } from './runner.js';

/** The library's file name in dist/. */
export const ZYGOTE_LIBRARY_NAME = 'virtnet-zygote.so';

/** Room for the argument (a --conf-file= path of up to PATH_MAX), as the length of the zygote's placeholder. */
const ARGUMENT_ROOM = 4200;
const PLACEHOLDER = 'virtnet-zygote'.padEnd(ARGUMENT_ROOM, ' ');

/**
 * The built library: VIRTNET_ZYGOTE_LIBRARY when set (empty: none), else
 * virtnet-zygote.so beside this bundle (dist/) or, run from source, in the
 * repository's dist/; undefined when there is none.
 */
export function findZygoteLibrary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env['VIRTNET_ZYGOTE_LIBRARY'];
  if (fromEnv !== undefined) return fromEnv === '' ? undefined : resolve(fromEnv);
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, ZYGOTE_LIBRARY_NAME), resolve(here, '../../dist', ZYGOTE_LIBRARY_NAME)].find((p) => existsSync(p));
}

export interface ZygoteRunnerOptions {
  /** The program the zygote is made of; only its commands go through it. */
  program: string;
  /** Path of virtnet-zygote.so. */
  library: string;
  netns: NetnsBinding;
  /** Runs what the zygote does not take, in the namespace through nsenter. */
  fallback: CommandRunner;
  logger?: CommandLogger;
  /** Told once when the zygote cannot start (the fallback takes over). */
  onUnavailable?: (message: string) => void;
  /** Where the zygote's private directory is made (tests); the system's temp directory by default. */
  baseDir?: string;
}

const FIELD = /^[^\t\n]*$/;

export class ZygoteRunner extends JobServerRunner {
  private unavailable = false;

  constructor(private readonly options: ZygoteRunnerOptions) {
    super(options.logger ?? (() => {}), options.baseDir ?? tmpdir(), 'vnt-zygote-');
  }

  protected override takes(spec: CommandSpec): boolean {
    const [program, arg] = spec.argv;
    return (
      !this.unavailable &&
      process.env['LD_PRELOAD'] === undefined &&
      program === this.options.program &&
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
    return spawn(this.options.program, [PLACEHOLDER], { stdio: ['pipe', 'pipe', 'ignore'], env });
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
    if (line === 'ready') server.ready = true;
  }

  /** A zygote that never said ready (no library, a program that ignores it): its jobs, and all later ones, go to the fallback. */
  protected override onLost(server: JobServer, jobs: Job[], err?: Error): void {
    if (server.ready) {
      super.onLost(server, jobs, err);
      return;
    }
    if (!this.unavailable) {
      this.unavailable = true;
      this.options.onUnavailable?.(
        `the ${this.options.program} zygote did not start${err ? ` (${err.message})` : ''}; starting ${this.options.program} as a new program each time`,
      );
    }
    for (const job of jobs) this.fallback(job.spec).then(job.resolve, job.reject);
  }
}
