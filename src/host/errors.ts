/**
 * Typed errors for host operations. A failed command becomes a HostError: a
 * VirError (so surfaces print it like any libvirt error) that also carries the
 * command line, the tool's raw stderr and the short reason extracted from it
 * ("File exists", "Numerical result out of range"), so the driver can reword
 * the message when libvirt has its own text for that step.
 *
 * Message shapes follow libvirt: system errors are "WHAT: REASON"
 * (virReportSystemError), and an unexpected child-process failure is
 * "Child process (CMD) unexpected exit status N: STDERR" (virCommandWait).
 */
import { type ErrorClass, VirError } from '../util/errors.js';
import type { CommandResult } from './runner.js';

export class HostError extends VirError {
  /** The tool's message reduced to its reason, e.g. "File exists". */
  readonly reason: string;
  /** The command line that failed, when a command failed. */
  readonly argv: readonly string[] | undefined;
  /** The tool's full stderr. */
  readonly stderr: string;

  constructor(errorClass: ErrorClass, detail: string, info: { reason?: string; argv?: readonly string[]; stderr?: string } = {}) {
    super(errorClass, detail);
    this.name = 'HostError';
    this.reason = info.reason ?? detail;
    this.argv = info.argv;
    this.stderr = info.stderr ?? '';
  }
}

/**
 * A vNIC's bridge (<interface type='bridge'><source bridge=NAME/>) that is
 * not there: libvirt's text for it (the bridge's MTU is the first thing it
 * reads), a conflict with the host's state (HTTP 409), not a daemon failure.
 */
export function missingBridgeError(bridge: string): VirError {
  const err = new VirError('SYSTEM_ERROR', `Cannot get interface MTU on '${bridge}': No such device`);
  err.status = 409;
  return err;
}

const BATCH_FAILED = /^Command failed (?:-|\S+):\d+$/;
const CARETS = /^[\s^~]+$/;

/**
 * The reason in a tool's stderr: iproute2's "RTNETLINK answers: X" and
 * "Error: X." become "X"; nft's "internal:0:0-0: Error: X" becomes "X"; batch
 * bookkeeping lines ("Command failed -:N"), nft's echo of the input and caret
 * markers are dropped. Several reasons are joined with "; ".
 */
export function toolReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !BATCH_FAILED.test(l) && !CARETS.test(l));
  const errorLines = lines.filter((l) => l.startsWith('RTNETLINK answers: ') || l.includes('Error: '));
  const chosen = errorLines.length > 0 ? errorLines : lines;
  const reasons = chosen.map((l) => {
    let r = l;
    if (r.startsWith('RTNETLINK answers: ')) r = r.slice('RTNETLINK answers: '.length);
    const at = r.indexOf('Error: ');
    if (at >= 0) r = r.slice(at + 'Error: '.length);
    return r.replace(/\.$/, '');
  });
  return [...new Set(reasons)].join('; ');
}

/** Why a command failed, when its stderr says nothing. */
export function statusText(result: Pick<CommandResult, 'exitCode' | 'signal'>): string {
  if (result.signal) return `fatal signal ${result.signal}`;
  return `exit status ${result.exitCode ?? -1}`;
}

/** A system error "WHAT: REASON" for a failed command. */
export function commandError(what: string, result: CommandResult, errorClass: ErrorClass = 'SYSTEM_ERROR'): HostError {
  const reason = toolReason(result.stderr) || statusText(result);
  return new HostError(errorClass, `${what}: ${reason}`, { reason, argv: result.argv, stderr: result.stderr });
}

/** libvirt's text for a command line: environment prefix, then the arguments, space separated. */
function commandLineText(argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  const quote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`), ...argv.map(quote)].join(' ');
}

/** libvirt's "Child process (CMD) unexpected exit status N: STDERR" (class INTERNAL_ERROR). */
export function childProcessError(result: CommandResult, env: Readonly<Record<string, string>> = {}): HostError {
  const err = result.stderr.trim();
  const detail = `Child process (${commandLineText(result.argv, env)}) unexpected ${statusText(result)}${err ? `: ${err}` : ''}`;
  return new HostError('INTERNAL_ERROR', detail, {
    reason: toolReason(result.stderr) || statusText(result),
    argv: result.argv,
    stderr: result.stderr,
  });
}
