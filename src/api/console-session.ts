/**
 * The web console's sessions: after a browser proves it holds the daemon's
 * token (POST /api/console/login), it gets a random session id in a cookie
 * (HttpOnly, so page scripts never see it; SameSite=Strict, so other sites'
 * pages never send it) and a separate CSRF token that the console's script
 * keeps in memory and sends back as the `x-csrf-token` header with every
 * request that changes state (the synchronizer-token pattern; see
 * console-access.ts for where it is checked).
 *
 * Sessions live in memory only: a daemon restart writes a new RUN/token and
 * forgets every session, so a browser must log in again. An idle session
 * ends after `idleMs`; at most `maxSessions` are kept (the oldest go first).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'virtnet_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleSession {
  id: string;
  csrf: string;
  created: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** An unused session ends after this long (default 12 hours). */
  idleMs?: number;
  maxSessions?: number;
  now?: () => number;
}

export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3600_000;
    this.maxSessions = options.maxSessions ?? 64;
    this.now = options.now ?? Date.now;
  }

  create(): ConsoleSession {
    const t = this.now();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      created: t,
      lastSeen: t,
    };
    this.sessions.set(session.id, session);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return session;
  }

  /** The live session of that id (its idle clock restarts), or undefined. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const t = this.now();
    if (t - session.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = t;
    // Re-insert so the Map's order stays least-recently-used first.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
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
