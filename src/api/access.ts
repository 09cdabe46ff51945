/**
 * Who may do what on a virtnetd listener. Each listener has one policy:
 *
 * - `unix`: the read-write socket (mode 0600, so only root reaches it);
 *   every call is allowed.
 * - `unix-ro`: the read-only socket (mode 0666); only calls that change
 *   nothing. The others are refused with libvirt's own error, class
 *   OPERATION_DENIED, "read only access prevents virNetworkCreate" (the
 *   libvirt API the call stands for), status 403.
 * - `tcp`: 127.0.0.1:PORT; every request must prove itself. Today the only
 *   proof is the daemon's token in `Authorization: Bearer TOKEN`; the web
 *   console's cookie session will be a second one, through the listener's
 *   `session` check (see ListenerAccess), consulted by `authenticate()`.
 *
 * Any request may also ask to be treated as read-only (header
 * x-virtnet-readonly: 1), which is how `-r` works over TCP.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { VirError } from '../util/errors.js';
import { READONLY_HEADER } from '../client/http-routes.js';

export type ListenerAccess =
  | { kind: 'unix' }
  | { kind: 'unix-ro' }
  | {
      kind: 'tcp';
      token: string;
      /**
       * A second way in for TCP requests without the token: the web console's
       * cookie session will plug in here (true = an authenticated session).
       */
      session?: (request: FastifyRequest) => boolean;
    };

/**
 * What a route does, for the read-only check: `read` routes change nothing;
 * a write route names the libvirt API it stands for (which may depend on
 * the request, as net-define --validate is virNetworkDefineXMLFlags).
 */
export type RouteAccess = { read: true } | { read: false; libvirtApi: (request: FastifyRequest) => string };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of a request, if it carries one. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * Throws AUTH_FAILED (401) unless the request may use this listener.
 * Unix sockets are guarded by their file mode; TCP needs the token.
 */
export function authenticate(access: ListenerAccess, request: FastifyRequest): void {
  if (access.kind !== 'tcp') return;
  const token = bearerToken(request);
  if (token !== undefined && sameSecret(token, access.token)) return;
  if (token === undefined && access.session?.(request) === true) return;
  throw new VirError(
    'AUTH_FAILED',
    token === undefined
      ? "virtnetd requires its token on TCP connections: send 'Authorization: Bearer TOKEN' with the token from the daemon's run directory (RUN/token)"
      : 'the token does not match the one virtnetd wrote to its run directory (RUN/token)',
  );
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
