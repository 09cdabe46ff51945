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
 * and the same log entries; the job protocol, output files, timeouts and
 * the server's idle end are job-server.ts's.
 *
 * A command whose job directory or files cannot be written (a full or
 * vanished temp directory) is started from Node by ExecRunner instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { VirError } from '../util/errors.js';
import { shQuote } from './sysctl.js';
import { type JobFiles, JobServerRunner } from './job-server.js';
import { type CommandLogger, type CommandResult, type CommandSpec, ExecRunner } from './runner.js';

/**
 * The server: for each id read from stdin, a background subshell sources the
 * job script in a subshell of its own (a fork of dash, no exec of a new
 * shell), which ends by exec'ing the program; it prints "ID pid PID" when the
 * program's process exists and "ID STATUS" when it has ended. At end of
 * input (Node ended it, or Node itself exited) it waits for its jobs and
 * removes its directory, so even a process that exits right after a command
 * leaves nothing in the temp directory.
 */
const SERVER_SCRIPT =
  'd=$1\nwhile IFS= read -r id; do\n  { ( . "$d/$id.sh" ) & echo "$id pid $!"; wait $!; echo "$id $?"; } &\ndone\nwait\nrm -rf -- "$d"\n';

export class ForkServerRunner extends JobServerRunner {
  /** For a command the server cannot take (its directory or job files cannot be written). */
  private readonly exec: ExecRunner;

  constructor(
    logger: CommandLogger = () => {},
    /** Where the server's private directory is made (tests); the system's temp directory by default. */
    baseDir: string = tmpdir(),
  ) {
    super(logger, baseDir, 'vnt-run-');
    this.exec = new ExecRunner(logger);
  }

  override run(spec: CommandSpec): Promise<CommandResult> {
    const bad = Object.keys(spec.env ?? {}).find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
    if (bad !== undefined) return Promise.reject(new VirError('INTERNAL_ERROR', `bad environment variable name '${bad}'`));
    return super.run(spec);
  }

  protected spawnServer(dir: string): ChildProcess {
    return spawn('sh', ['-c', SERVER_SCRIPT, 'sh', dir], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
  }

  protected request(id: number, spec: CommandSpec, files: JobFiles): string {
    const program = spec.argv[0] as string;
    const lines = [`exec >${shQuote(files.out)} 2>${shQuote(files.err)}`, "export LC_ALL='C'"];
    for (const [k, v] of Object.entries(spec.env ?? {})) lines.push(`export ${k}=${shQuote(v)}`);
    lines.push(`command -v ${shQuote(program)} >/dev/null 2>&1 || { : >${shQuote(files.missing)}; exit 127; }`);
    const input = spec.input !== undefined && spec.input !== '' ? spec.input : undefined;
    lines.push(`exec ${spec.argv.map(shQuote).join(' ')} <${input !== undefined ? shQuote(files.input) : '/dev/null'}`);
    if (input !== undefined) writeFileSync(files.input, input, { mode: 0o600 });
    writeFileSync(files.script, `${lines.join('\n')}\n`, { mode: 0o600 });
    return String(id);
  }

  protected fallback(spec: CommandSpec): Promise<CommandResult> {
    return this.exec.run(spec);
  }
}
