/**
 * Catching the VirError a call is expected to fail with, so a test can
 * assert its class, code and text. Anything else fails the test: a call
 * that succeeds (with "expected a VirError, …"), or one that fails with
 * some other error.
 */
import { expect } from 'vitest';
import { VirError } from '../../../src/util/errors.js';

/** The VirError `p` rejects with (asserted to be one). */
export async function rejectionOf(p: Promise<unknown>): Promise<VirError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VirError);
    return e as VirError;
  }
  throw new Error('expected a VirError, the promise resolved');
}

/** The VirError `fn` throws; any other error is rethrown as it is, stack and all. */
export function thrownBy(fn: () => unknown): VirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VirError) return e;
    throw e;
  }
  throw new Error('expected a VirError, nothing was thrown');
}
