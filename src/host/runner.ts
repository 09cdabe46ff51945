/**
 * Running external commands: argv arrays only (never a shell string), stdin
 * text optional, stdout and stderr captured, every run logged as a structured
 * entry (argv, duration, exit code, stderr). A non-zero exit is *not* thrown
 * here: the caller knows what the command meant and turns the result into a
 * typed error (see errors.ts). Only a program that cannot be started at all
 * throws.
 *
 * Commands run with LC_ALL=C so that the tools' messages (which end up in
 * errors) are in English and stable.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { VirError } from '../util/errors.js';
import { osErrorCode, osErrorText } from '../util/os-error.js';

export interface CommandSpec {
  argv: readonly string[];
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  /** Recorded in the log as the command's input when it reads it from elsewhere (a file). */
  logInput?: string;
  /** Extra environment variables (added to this process's environment). */
  env?: Readonly<Record<string, string>>;
  /** Kill the program (SIGKILL, by PID) after this many ms; default 30 000. */
  timeoutMs?: number;
  /**
   * For programs that daemonize: resolve when the started process exits, even
   * if a forked child still holds stdout/stderr open (output read until then is kept).
   */
  resolveOnExit?: boolean;
}

export interface CommandResult {
  argv: readonly string[];
  /** Exit status, or null when ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The program's process id, when the runner knows it (nft's monitor tells our own transactions apart by it). */
  pid?: number;
}

/** One logged command. */
export interface CommandLogEntry {
  argv: readonly string[];
  /** First part of stdin, for batches (capped). */
  input?: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** stderr, trimmed and capped. */
  stderr: string;
}

export type CommandLogger = (entry: CommandLogEntry) => void;

export interface CommandRunner {
  run(spec: CommandSpec): Promise<CommandResult>;
}

const LOG_CAP = 4096;

function cap(text: string): string {
  return text.length > LOG_CAP ? `${text.slice(0, LOG_CAP)}…` : text;
}

/** The log entry for a finished command. */
export function logEntryFor(spec: CommandSpec, result: CommandResult): CommandLogEntry {
  const entry: CommandLogEntry = {
    argv: result.argv,
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    stderr: cap(result.stderr.trim()),
  };
  const input = spec.input ?? spec.logInput;
  if (input !== undefined) entry.input = cap(input);
  return entry;
}

/** A bounded in-memory log (most recent entries), handy for debugging and tests. */
export class MemoryCommandLog {
  readonly entries: CommandLogEntry[] = [];
  constructor(private readonly limit = 1000) {}
  readonly logger: CommandLogger = (entry) => {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  };
}

/** Runs commands with node:child_process.spawn. */
export class ExecRunner implements CommandRunner {
  constructor(private readonly logger: CommandLogger = () => {}) {}

  run(spec: CommandSpec): Promise<CommandResult> {
    const [program, ...args] = spec.argv;
    if (program === undefined) return Promise.reject(new VirError('INTERNAL_ERROR', 'empty command line'));
    const started = performance.now();
    return new Promise<CommandResult>((resolve, reject) => {
      const cannotRun = (err: unknown): VirError =>
        osErrorCode(err) === 'ENOENT'
          ? new VirError('SYSTEM_ERROR', `Unable to find '${program}' binary in $PATH`)
          : new VirError('SYSTEM_ERROR', `Cannot run '${program}': ${osErrorText(err)}`);
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(program, args, {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, ...spec.env, LC_ALL: 'C' },
        });
      } catch (err) {
        reject(cannotRun(err));
        return;
      }
      // A process that could not be started (EMFILE, EAGAIN…) reports it as an 'error' event on the
      // next tick, and its pipes may be unusable: listen first, so it can never be an uncaught exception.
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(cannotRun(err));
      });
      if (child.pid === undefined) return;
      let stdout = '';
      let stderr = '';
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      timer = setTimeout(() => {
        if (child.pid !== undefined) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }, spec.timeoutMs ?? 30_000);

      const finish = (): void => {
        if (settled || exit === undefined) return;
        settled = true;
        clearTimeout(timer);
        const result: CommandResult = {
          argv: spec.argv,
          exitCode: exit.code,
          signal: exit.signal,
          stdout,
          stderr,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          ...(child.pid !== undefined ? { pid: child.pid } : {}),
        };
        this.logger(logEntryFor(spec, result));
        resolve(result);
      };

      child.on('exit', (code, signal) => {
        exit = { code, signal };
        if (spec.resolveOnExit) {
          // Give the pipes a moment to drain, then stop waiting for forked children.
          setTimeout(() => {
            child.stdout.destroy();
            child.stderr.destroy();
            finish();
          }, 20);
        }
      });
      child.on('close', () => finish());
      // A program that exits without reading its stdin makes the write fail with EPIPE; ignore it.
      child.stdin.on('error', () => {});
      child.stdin.end(spec.input ?? '');
    });
  }
}
