/**
 * The daemon's secrets in its run directory, each 32 random bytes as hex in
 * a file of mode 0600 (root reads it):
 *
 * - RUN/token, the TCP token: every TCP request carries it as
 *   `Authorization: Bearer TOKEN`, and the web console logs in with it
 *   (a user the operator trusts is given it);
 * - RUN/console-key, the key the console's session cookies are sealed with
 *   (console-session.ts).
 *
 * Both are kept across daemon restarts, so a restart logs no one out; the
 * run directory is a tmpfs, so a reboot makes new ones. `virtnetd
 * --new-token` writes a new token, which ends every console session.
 * A file that is not ours as we wrote it (another mode, owner or content)
 * is replaced.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export function tokenPath(runDir: string): string {
  return join(runDir, 'token');
}

export function consoleKeyPath(runDir: string): string {
  return join(runDir, 'console-key');
}

function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The secret kept in `path`, when it is one this daemon wrote: a regular file of ours, mode 0600, 64 hex digits. */
function keptSecret(path: string): string | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!st.isFile() || (st.mode & 0o777) !== 0o600 || (process.geteuid !== undefined && st.uid !== process.geteuid())) return undefined;
  const text = readFileSync(path, 'utf8').trim();
  return /^[0-9a-f]{64}$/.test(text) ? text : undefined;
}

/** The secret in `path`, or (when there is none of ours, or `fresh`) a new one written there (0600). */
export function keepSecret(path: string, fresh = false): string {
  const kept = fresh ? undefined : keptSecret(path);
  if (kept !== undefined) return kept;
  const secret = newToken();
  writeFileAtomic(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

/** RUN/token: the one a previous start wrote, or (first start, or `fresh`) a new one. */
export function keepToken(runDir: string, fresh = false): string {
  return keepSecret(tokenPath(runDir), fresh);
}
