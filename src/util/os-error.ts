/**
 * Operating-system errors (Node's `err.code` = an errno name) as texts a
 * person can act on: strerror's words ("No space left on device"), what was
 * being done and on which file, instead of Node's "ENOSPC: no space left on
 * device, write". One table, used by every place that turns an OS error into
 * a VirError (file writes, starting programs, the daemon's last-resort
 * error handler).
 */
import { VirError } from './errors.js';

/** glibc's strerror texts of the errors a daemon meets in practice. */
const STRERROR: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  E2BIG: 'Argument list too long',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EMLINK: 'Too many links',
  EPIPE: 'Broken pipe',
  ENAMETOOLONG: 'File name too long',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  EDQUOT: 'Disk quota exceeded',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EADDRINUSE: 'Address already in use',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
};

/** An error from the OS: Node's errors with an errno name in `code`. */
export function osErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** strerror's text for an OS error ("No space left on device"), or Node's own words for a code not in the table. */
export function osErrorText(err: unknown): string {
  const code = osErrorCode(err);
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code];
  const message = err instanceof Error ? err.message : String(err);
  // Node writes "ECODE: text, syscall 'path'": keep the text.
  const m = /^E[A-Z0-9]+: ([^,]+)/.exec(message);
  const text = m?.[1] ?? message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The HTTP status an OS error stands for when it ends a request: a full disk
 * or quota is 507 (Insufficient Storage), a file name too long for the file
 * system comes from the request's own name (400); anything else is the
 * daemon's (500).
 */
function statusForOsError(code: string | undefined): number {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 507;
  if (code === 'ENAMETOOLONG') return 400;
  return 500;
}

/** A VirError for an OS error, carrying the HTTP status it stands for. */
class SystemError extends VirError {
  /** The errno name, e.g. ENOSPC. */
  readonly code: string | undefined;

  constructor(detail: string, code: string | undefined) {
    super('SYSTEM_ERROR', detail);
    this.name = 'SystemError';
    this.code = code;
    this.status = statusForOsError(code);
  }
}

/**
 * "No space left on device while saving '/etc/virtnet/networks/n1.xml'":
 * an OS error as a VirError (class SYSTEM_ERROR) saying what failed, while
 * doing what, on which file. A VirError passes through unchanged.
 */
export function systemError(err: unknown, doing: string): VirError {
  if (err instanceof VirError) return err;
  return new SystemError(`${osErrorText(err)} while ${doing}`, osErrorCode(err));
}

/**
 * Any OS error, as far as Node tells what it was doing: "No space left on
 * device: mkdir '/etc/virtnet/networks/autostart'" (libvirt's "WHAT: REASON"
 * shape turned round, as the reason is what a person acts on).
 */
export function describedOsError(err: unknown): VirError | undefined {
  if (err instanceof VirError) return err;
  const code = osErrorCode(err);
  if (code === undefined) return undefined;
  const e = err as { syscall?: unknown; path?: unknown; dest?: unknown };
  const what = [
    typeof e.syscall === 'string' ? e.syscall : undefined,
    typeof e.path === 'string' ? `'${e.path}'` : undefined,
    typeof e.dest === 'string' ? `-> '${e.dest}'` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return new SystemError(what ? `${osErrorText(err)}: ${what}` : osErrorText(err), code);
}
