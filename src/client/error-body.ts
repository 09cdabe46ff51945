/**
 * The daemon's error answers as VirErrors, for every client (node's and
 * the browser's, which is why this module imports nothing from node): the
 * body's class and detail rebuilt into the same error, with the HTTP
 * status when it says more than the class.
 */
import { ERROR_PREFIXES, VirError, statusForClass, type ErrorClass } from '../util/errors.js';

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'string' && Object.hasOwn(ERROR_PREFIXES, value);
}

/** Rebuild the daemon's VirError from an error answer. */
export function errorFromResponse(status: number, body: unknown): VirError {
  const b = body as { class?: unknown; detail?: unknown; message?: unknown } | null;
  if (b && typeof b === 'object' && isErrorClass(b.class) && typeof b.detail === 'string') {
    const err = new VirError(b.class, b.detail);
    // The status says more than the class at times (a precondition failed: 412).
    if (status !== statusForClass(b.class)) err.status = status;
    return err;
  }
  if (b && typeof b === 'object' && typeof b.message === 'string') {
    return new VirError('INTERNAL_ERROR', b.message);
  }
  return new VirError('INTERNAL_ERROR', `virtnetd answered with HTTP status ${status}`);
}
