/**
 * Whether a piece of code under test is implemented yet: stubs throw
 * `Error('not implemented')`, and tests that need the real thing skip
 * themselves until it is. Any other error from the probe is a real failure
 * and propagates.
 */

/** True when `probe` runs without throwing 'not implemented'. */
export function implemented(probe: () => unknown): boolean {
  try {
    probe();
    return true;
  } catch (e) {
    if (e instanceof Error && e.message === 'not implemented') return false;
    throw e;
  }
}
