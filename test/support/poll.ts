/**
 * Polling with a deadline, for tests that wait on something another
 * process or an event stream brings about, instead of sleeping a fixed time.
 * Shared by the end-to-end fixtures and the HTTP unit tests; each caller
 * keeps its own deadline and polling interval.
 */

export interface PollOptions {
  /** How long to wait before failing (ms). */
  ms: number;
  /** How long to sleep between two checks (ms). */
  everyMs: number;
  /** Named in the timeout error. */
  what?: string;
}

/** Resolve once `check` holds (checked at once, then every `everyMs`); reject after `ms` with `timed out waiting for WHAT`. */
export async function pollUntil(check: () => boolean | Promise<boolean>, o: PollOptions): Promise<void> {
  const deadline = Date.now() + o.ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, o.everyMs));
  }
}
