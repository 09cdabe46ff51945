/**
 * The web console's sessions: after a browser proves it holds the daemon's
 * token (POST /api/console/login), it gets a session cookie (HttpOnly, so
 * page scripts never see it; SameSite=Strict, so other sites' pages never
 * send it) and a CSRF token that the console's script keeps in memory and
 * sends back as the `x-csrf-token` header with every request that changes
 * state (the synchronizer-token pattern; console-access.ts checks it).
 *
 * The cookie is sealed: `v1.ID.ISSUED.TOKENFP.MAC`, where MAC is an HMAC
 * with the key kept in RUN/console-key (0600, token.ts) over the rest, and
 * TOKENFP a fingerprint of the daemon's token when the session began. So
 * a session survives a daemon restart (the key and the token are kept),
 * and ends when the token changes (`--new-token`). The CSRF token is an
 * HMAC of the session's id, so it survives too.
 *
 * A session ends after `idleMs` unused (counted from the daemon's start for
 * a session it has not seen since), after `maxAgeMs` in any case, at
 * logout, and when more than `maxSessions` are in use (the least recently
 * used goes). Ended sessions are remembered, with why, in RUN/console-sessions
 * (0600) until they would have expired anyway, so a restart does not bring
 * a logged-out cookie back, and the login page can say why a session ended
 * (endReason).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { SessionEnd } from '../contract/console-api.js';

export type { SessionEnd } from '../contract/console-api.js';

export const SESSION_COOKIE = 'virtnet_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleSession {
  /** The cookie's value (what the browser sends back). */
  id: string;
  csrf: string;
  created: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** The sealing key (RUN/console-key); a random one (sessions end with the process) when absent. */
  key?: string;
  /** The daemon's token: sessions begun with another one have ended. */
  token?: string;
  /** Where ended sessions are remembered (RUN/console-sessions); nowhere when absent. */
  file?: string;
  /** An unused session ends after this long (default 12 hours). */
  idleMs?: number;
  /** A session ends this long after its login in any case (default 7 days). */
  maxAgeMs?: number;
  maxSessions?: number;
  now?: () => number;
}

interface Sealed {
  id: string;
  issued: number;
  fingerprint: string;
}

interface Ended {
  reason: SessionEnd;
  /** When the session would have expired anyway: the record can go then. */
  until: number;
}

export class SessionStore {
  private readonly key: string;
  private readonly fingerprint: string;
  private readonly file: string | undefined;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;
  /** Sessions seen since the daemon started, least recently used first: id → last seen. */
  private readonly seen = new Map<string, { lastSeen: number; issued: number }>();
  private readonly ended = new Map<string, Ended>();

  constructor(options: SessionStoreOptions = {}) {
    this.key = options.key ?? randomBytes(32).toString('hex');
    this.fingerprint = this.mac(`token\0${options.token ?? ''}`).slice(0, 11);
    this.file = options.file;
    this.idleMs = options.idleMs ?? 12 * 3600_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600_000;
    this.maxSessions = options.maxSessions ?? 64;
    this.now = options.now ?? Date.now;
    this.load();
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url').slice(0, 22);
  }

  private seal(s: Sealed): string {
    const body = `v1.${s.id}.${s.issued.toString(36)}.${s.fingerprint}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The sealed parts of a cookie value this daemon (or an earlier one with the same key) made, or undefined. */
  private unseal(value: string): Sealed | undefined {
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
    const [, id, issued, fingerprint, mac] = parts as [string, string, string, string, string];
    if (!sameSecret(mac, this.mac(`v1.${id}.${issued}.${fingerprint}`))) return undefined;
    const t = Number.parseInt(issued, 36);
    return Number.isFinite(t) ? { id, issued: t, fingerprint } : undefined;
  }

  private csrfOf(id: string): string {
    return this.mac(`csrf\0${id}`);
  }

  create(): ConsoleSession {
    const t = this.now();
    const sealed: Sealed = { id: randomBytes(16).toString('base64url'), issued: t, fingerprint: this.fingerprint };
    this.touch(sealed, t);
    return { id: this.seal(sealed), csrf: this.csrfOf(sealed.id), created: t, lastSeen: t };
  }

  /** Mark a session used now; the least recently used go when there are too many. */
  private touch(s: Sealed, t: number): void {
    this.seen.delete(s.id);
    this.seen.set(s.id, { lastSeen: t, issued: s.issued });
    while (this.seen.size > this.maxSessions) {
      const [oldest, entry] = this.seen.entries().next().value as [string, { issued: number }];
      this.end(oldest, entry.issued, 'evicted');
    }
  }

  private end(id: string, issued: number, reason: SessionEnd): void {
    this.seen.delete(id);
    this.ended.set(id, { reason, until: issued + this.maxAgeMs });
    this.save();
  }

  /**
   * Why the session of this cookie value is not live, or undefined when it
   * is (or there is none): its idle or total time ran out, it was logged
   * out or pushed out by others, the token changed, or the cookie is not
   * one of ours (a key lost with a reboot).
   */
  check(value: string | undefined): { session: ConsoleSession } | { ended: SessionEnd } | undefined {
    if (value === undefined || value === '') return undefined;
    const s = this.unseal(value);
    if (s === undefined) return { ended: 'invalid' };
    const gone = this.ended.get(s.id);
    if (gone !== undefined) return { ended: gone.reason };
    if (s.fingerprint !== this.fingerprint) return { ended: 'token' };
    const t = this.now();
    if (t - s.issued > this.maxAgeMs) return { ended: 'expired' };
    const last = this.seen.get(s.id)?.lastSeen;
    if (last !== undefined && t - last > this.idleMs) {
      this.end(s.id, s.issued, 'idle');
      return { ended: 'idle' };
    }
    this.touch(s, t);
    return { session: { id: value, csrf: this.csrfOf(s.id), created: s.issued, lastSeen: t } };
  }

  /** The live session of that cookie value (its idle clock restarts), or undefined. */
  get(value: string | undefined): ConsoleSession | undefined {
    const r = this.check(value);
    return r !== undefined && 'session' in r ? r.session : undefined;
  }

  /** Why the session of that cookie value ended; undefined when it is live or there is none. */
  endReason(value: string | undefined): SessionEnd | undefined {
    const r = this.check(value);
    return r !== undefined && 'ended' in r ? r.ended : undefined;
  }

  /** Log a session out. */
  delete(value: string): void {
    const s = this.unseal(value);
    if (s !== undefined) this.end(s.id, s.issued, 'logout');
  }

  /** Sessions in use since the daemon started. */
  get size(): number {
    return this.seen.size;
  }

  private load(): void {
    if (this.file === undefined) return;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A torn or foreign file: forget what it said (every session then still needs a valid seal).
      return;
    }
    const t = this.now();
    const list = (parsed as { ended?: unknown }).ended;
    if (!Array.isArray(list)) return;
    for (const e of list as { id?: unknown; reason?: unknown; until?: unknown }[]) {
      if (typeof e.id === 'string' && typeof e.reason === 'string' && typeof e.until === 'number' && e.until > t) {
        this.ended.set(e.id, { reason: e.reason as SessionEnd, until: e.until });
      }
    }
  }

  private save(): void {
    const t = this.now();
    for (const [id, e] of this.ended) if (e.until <= t) this.ended.delete(id);
    if (this.file === undefined) return;
    const ended = [...this.ended].map(([id, e]) => ({ id, reason: e.reason, until: e.until }));
    writeFileAtomic(this.file, `${JSON.stringify({ ended })}\n`, { mode: 0o600 });
  }
}

/** Compare two secrets in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie in a Cookie header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a new session: the browser's only copy of the id; Secure on a TLS listener, so it never travels in clear. */
export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Set-Cookie that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=0`;
}
