/**
 * Errors the client raises, all VirErrors with libvirt's class and text:
 *
 * - a daemon that cannot be reached gives libvirt's own second line:
 *   SYSTEM_ERROR "Failed to connect socket to 'PATH': No such file or
 *   directory" (unix) or "unable to connect to server at 'HOST:PORT':
 *   Connection refused" (TCP); `connect()` rejects with it, and the CLI
 *   prints virsh's "failed to connect to the hypervisor" above it;
 * - a connection lost in the middle of a call: "End of file while reading
 *   data: Input/output error", as libvirt's RPC client says;
 * - an error answer from the daemon: the daemon's VirError, rebuilt with
 *   the same class and detail.
 *
 * The errno texts are glibc's strerror(), which libvirt prints.
 */
import { VirError } from '../util/errors.js';
import type { DaemonTarget } from './http-uri.js';
import { describeTarget } from './http-uri.js';

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ECONNREFUSED: 'Connection refused',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTDIR: 'Not a directory',
  ENOTSOCK: 'Socket operation on non-socket',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENAMETOOLONG: 'File name too long',
  EPIPE: 'Broken pipe',
  EAGAIN: 'Resource temporarily unavailable',
};

/** glibc's text for an errno code (libuv's, capitalised, for the rare others). */
export function strerror(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  const known = STRERROR[code];
  if (known) return known;
  const text = err.message.replace(/^\w+ (\w+ )?/, '').trim() || code || 'Unknown error';
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A daemon that could not be reached at all: libvirt's text, with the errno code and the target kept for hints. */
export class ConnectError extends VirError {
  constructor(
    readonly target: DaemonTarget,
    readonly code: string,
    detail: string,
  ) {
    super('SYSTEM_ERROR', detail);
  }
}

/** The error for a daemon that could not be reached at all. */
export function connectError(target: DaemonTarget, err: NodeJS.ErrnoException): ConnectError {
  const why = strerror(err);
  return target.kind === 'unix'
    ? new ConnectError(target, err.code ?? '', `Failed to connect socket to '${describeTarget(target)}': ${why}`)
    : new ConnectError(target, err.code ?? '', `unable to connect to server at '${describeTarget(target)}': ${why}`);
}

/** The error for a connection that broke while a call was under way. */
export function lostConnectionError(): VirError {
  return new VirError('SYSTEM_ERROR', 'End of file while reading data: Input/output error');
}

/** Errors raised before anything was sent: the daemon is not there. */
export function isConnectFailure(err: NodeJS.ErrnoException): boolean {
  return [
    'ENOENT',
    'ECONNREFUSED',
    'EACCES',
    'EPERM',
    'ENOTDIR',
    'ENOTSOCK',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EADDRNOTAVAIL',
    'ENAMETOOLONG',
    'ETIMEDOUT',
  ].includes(err.code ?? '');
}

export { errorFromResponse } from './error-body.js';
