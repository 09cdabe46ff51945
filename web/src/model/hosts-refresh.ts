/**
 * When the Hosts page reads the OVN hosts again by itself. Whether a host
 * answers is found by asking it (src/ovn/hosts.ts: an nb_cfg round), which
 * the daemon does only when asked, so no event tells the console that a
 * host went down or came up: the page asks again every HOSTS_REFRESH_MS
 * while it is shown in a visible tab, counted from the end of the last read
 * (whatever started it), so reads never pile up behind a slow one.
 */

/** How often the Hosts page reads the OVN hosts again while it is shown in a visible tab (ms). */
export const HOSTS_REFRESH_MS = 15_000;

/** What decides the next timed read. */
export interface TimedRead {
  /** The interval (ms); no timed read without one. */
  every: number | undefined;
  /** The tab is visible. */
  visible: boolean;
  /** A read is under way. */
  busy: boolean;
  /** When the last read ended (ms since the epoch); none before the first. */
  lastReadEnded: number | undefined;
}

/**
 * How long to wait (ms) before the next timed read: the interval after the
 * last read ended, or at once when that time has passed (a tab shown again
 * after a while); undefined for no timed read (no interval, a hidden tab, a
 * read under way, or none read yet).
 */
export function nextReadIn(s: TimedRead, now: number): number | undefined {
  if (s.every === undefined || !s.visible || s.busy || s.lastReadEnded === undefined) return undefined;
  return Math.max(0, s.lastReadEnded + s.every - now);
}
