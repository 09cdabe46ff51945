/**
 * Who may do what on a virtnetd listener. Each listener has one policy:
 *
 * - `unix`: the read-write socket (mode 0600, so only root reaches it);
 *   every call is allowed.
 * - `unix-ro`: the read-only socket (mode 0666); only calls that change
 *   nothing. The others are refused with libvirt's own error, class
 *   OPERATION_DENIED, "read only access prevents virNetworkCreate" (the
 *   libvirt API the call stands for), status 403.
 * - `tcp`: HOST:PORT; every request must name the listener in its Host
 *   header (tcp-origin.ts: DNS rebinding) and prove itself: the daemon's
 *   token in `Authorization: Bearer TOKEN`, or the web console's cookie
 *   session (the listener's `session` check, consulted by
 *   `authenticate()`). Wrong tokens are counted per client address and
 *   refused with 429 beyond a rate (auth-throttle.ts).
 *
 * Any request may also ask to be treated as read-only (header
 * x-virtnet-readonly: 1), which is how `-r` works over TCP.
 */
import type { FastifyRequest } from 'fastify';
import { VirError } from '../util/errors.js';
import { READONLY_HEADER } from '../client/http-routes.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { TcpIdentity } from './tcp-origin.js';
import { sameSecret } from './console-session.js';

export type ListenerAccess =
  | { kind: 'unix' }
  | { kind: 'unix-ro' }
  | {
      kind: 'tcp';
      token: string;
      /** The Host values and origins of this listener, from its configured address. */
      identity: TcpIdentity;
      /** Counts failed tokens (createApiServer gives each TCP listener one; the console's login shares it). */
      throttle?: AuthThrottle;
      /**
       * A second way in for TCP requests without the token: the web console's
       * cookie session plugs in here (true = an authenticated session).
       */
      session?: (request: FastifyRequest) => boolean;
    };

/**
 * What a route does, for the read-only check: `read` routes change nothing;
 * a write route names the libvirt API it stands for (which may depend on
 * the request, as net-define --validate is virNetworkDefineXMLFlags).
 */
export type RouteAccess = { read: true } | { read: false; libvirtApi: (request: FastifyRequest) => string };

/** The bearer token of a request, if it carries one. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * Throws unless the request may use this listener: on TCP, 421 for a Host
 * header that does not name the listener, 429 while its client has failed
 * too often, AUTH_FAILED (401) without the token or a session. Unix
 * sockets are guarded by their file mode.
 */
export function authenticate(access: ListenerAccess, request: FastifyRequest): void {
  if (access.kind !== 'tcp') return;
  checkHost(access.identity, request);
  const token = bearerToken(request);
  if (token !== undefined) {
    access.throttle?.admit(request.ip);
    if (sameSecret(token, access.token)) return;
    access.throttle?.failed(request.ip);
  } else if (access.session?.(request) === true) {
    return;
  }
  throw new VirError(
    'AUTH_FAILED',
    token === undefined
      ? "virtnetd requires its token on TCP connections: send 'Authorization: Bearer TOKEN' with the token from the daemon's run directory (RUN/token)"
      : 'the token does not match the one virtnetd wrote to its run directory (RUN/token)',
  );
}

/** 421 (Misdirected Request) for a Host header that is not one of the listener's own (DNS rebinding). */
function checkHost(identity: TcpIdentity, request: FastifyRequest): void {
  const host = request.headers.host;
  if (identity.allowsHost(host)) return;
  const err = new VirError(
    'OPERATION_DENIED',
    `this virtnetd listener answers to ${identity.hosts().join(', ') || 'no host name'}, not to Host '${String(host ?? '')}'`,
  );
  err.status = 421;
  throw err;
}

/** Whether this request is served read-only. */
export function isReadonly(access: ListenerAccess, request: FastifyRequest): boolean {
  if (access.kind === 'unix-ro') return true;
  const asked = request.headers[READONLY_HEADER];
  return asked !== undefined && asked !== '0' && asked !== 'false';
}

/** Throws OPERATION_DENIED (403) for a change asked on a read-only connection. */
export function authorize(access: ListenerAccess, route: RouteAccess, request: FastifyRequest): void {
  if (route.read || !isReadonly(access, request)) return;
  throw new VirError('OPERATION_DENIED', `read only access prevents ${route.libvirtApi(request)}`);
}
