/**
 * The console's way into the TCP listener, as the `session` hook of
 * ListenerAccess (src/api/access.ts): authenticate() consults it for every
 * request that carries no bearer token. It answers true when
 *
 * - the request is for the console's public files (the page, its assets)
 *   or the login/session probes, which a browser needs before it has a
 *   session; or
 * - the request carries a live session cookie, and, when it asks for a
 *   change (any method but GET/HEAD/OPTIONS), also the session's CSRF token
 *   in `x-csrf-token`, and no Origin but the listener's own (checkOrigin:
 *   its configured address and certificate names, not the request's Host).
 *
 * A session without its CSRF token on a change is refused outright (403,
 * OPERATION_DENIED), not merely "unauthenticated": the browser is logged in
 * but the request did not come from the console's own script. Bearer-token
 * clients (the CLI) never reach this hook and need no CSRF token: nothing
 * ambient (no cookie) authenticates them.
 */
import type { FastifyRequest } from 'fastify';
import { VirError } from '../util/errors.js';
import { CONSOLE_ROUTES } from '../contract/console-api.js';
import { CSRF_HEADER, readCookie, sameSecret, SESSION_COOKIE, type ConsoleSession, type SessionStore } from './console-session.js';
import type { TcpIdentity } from './tcp-origin.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths anyone may fetch without a session: the console's files and the login probes. */
function isPublicRequest(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') {
    if (path === '/' || path === '/index.html' || path === '/favicon.svg' || path.startsWith('/assets/')) return true;
    if (path === CONSOLE_ROUTES.session) return true;
  }
  return method === 'POST' && path === CONSOLE_ROUTES.login;
}

const attached = new WeakMap<FastifyRequest, ConsoleSession>();

/** The request's session cookie value, if it sends one. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return readCookie(typeof header === 'string' ? header : undefined, SESSION_COOKIE);
}

/** The session named by the request's cookie, if it is live (no CSRF check: for reads). */
export function cookieSession(store: SessionStore, request: FastifyRequest): ConsoleSession | undefined {
  return store.get(sessionCookieOf(request));
}

/**
 * Throws OPERATION_DENIED (403) for a request whose Origin is not one of
 * the listener's own (its configured address and names, with its scheme:
 * tcp-origin.ts), whatever Host the request carries. No Origin: not a
 * browser's cross-site request.
 */
export function checkOrigin(identity: TcpIdentity, request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined || identity.allowsOrigin(origin)) return;
  throw new VirError('OPERATION_DENIED', `the console refuses a change requested from another origin ('${String(origin)}')`);
}

/** Build the `session` hook for a TCP listener. */
export function consoleSessionCheck(store: SessionStore, identity: TcpIdentity): (request: FastifyRequest) => boolean {
  return (request) => {
    const path = request.url.split('?')[0] ?? '';
    const session = cookieSession(store, request);
    if (session) attached.set(request, session);
    if (isPublicRequest(request.method, path)) return true;
    if (!session) return false;
    if (SAFE_METHODS.has(request.method)) return true;
    const given = request.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, session.csrf)) {
      throw new VirError('OPERATION_DENIED', `the console session's request lacks its CSRF token (header '${CSRF_HEADER}')`);
    }
    checkOrigin(identity, request);
    return true;
  };
}
