/**
 * The console's own API routes on the TCP listener (paths in
 * src/contract/console-api.ts): log in with the daemon's token, probe and end the
 * session, read the host's interfaces and routes, and check a network's XML
 * the way net-define would, without defining it (the XML editor's inline
 * errors).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseNetworkXml } from '../conf/network/parse.js';
import { validateNetworkForDefine } from '../conf/network/validate.js';
import { VirError } from '../util/errors.js';
import { checkOrigin, cookieSession, sessionCookieOf } from './console-access.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { TcpIdentity } from './tcp-origin.js';
import type { HostInfoReader } from './console-host.js';
import { CONSOLE_ROUTES, type ConsoleSessionBody } from '../contract/console-api.js';
import type { NetworkDriverApi } from '../contract/network-api.js';
import type { NetworkDef } from '../conf/network/types.js';
import { liveUpdatesForEdit } from '../conf/network/update-entry.js';
import { NetworkDefSchema } from './console-state.js';
import { clearedSessionCookie, sameSecret, sessionCookie, type SessionStore } from './console-session.js';
import { ErrorBodySchema, NetworkInfoSchema, UpdateBodySchema } from './schemas.js';
import { formatNetworkXml } from '../conf/network/format.js';
import { preconditionOf } from './route-spec.js';
import { errorBody } from './http-errors.js';

interface ConsoleRouteOptions {
  driver: NetworkDriverApi;
  token: string;
  store: SessionStore;
  hostInfo: HostInfoReader;
  identity: TcpIdentity;
  /** Failed logins count with failed bearer tokens (auth-throttle.ts). */
  throttle: AuthThrottle;
}

const READ = { read: true } as const;
const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const tags = ['console'];

const SessionBodySchema = Type.Object({
  authenticated: Type.Boolean(),
  csrf: Type.Optional(Type.String()),
  ended: Type.Optional(
    Type.Union([
      Type.Literal('logout'),
      Type.Literal('idle'),
      Type.Literal('expired'),
      Type.Literal('evicted'),
      Type.Literal('token'),
      Type.Literal('invalid'),
    ]),
  ),
});
const InterfaceSchema = Type.Object({
  name: Type.String(),
  kind: Type.Optional(Type.String()),
  up: Type.Boolean(),
  operstate: Type.String(),
  mac: Type.String(),
  mtu: Type.Number(),
  master: Type.Optional(Type.String()),
  addresses: Type.Array(Type.String()),
});
const RouteSchema = Type.Object({
  family: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]),
  dst: Type.String(),
  prefix: Type.Integer(),
  dev: Type.Optional(Type.String()),
  gateway: Type.Optional(Type.String()),
  type: Type.String(),
  table: Type.Optional(Type.String()),
});

export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = options;

  api.get(
    CONSOLE_ROUTES.session,
    {
      schema: {
        operationId: 'consoleSession',
        tags,
        summary: 'Whether this browser has a console session and its CSRF token, or why its session ended.',
        response: { 200: SessionBodySchema, ...errors },
      },
      config: { access: READ },
    },
    async (request, reply): Promise<ConsoleSessionBody> => {
      reply.header('cache-control', 'no-store');
      const checked = store.check(sessionCookieOf(request));
      if (checked !== undefined && 'session' in checked) return { authenticated: true, csrf: checked.session.csrf };
      return checked === undefined ? { authenticated: false } : { authenticated: false, ended: checked.ended };
    },
  );

  api.post(
    CONSOLE_ROUTES.login,
    {
      schema: {
        operationId: 'consoleLogin',
        tags,
        summary: "Log the browser in with the daemon's token (RUN/token): sets an HttpOnly, SameSite=Strict session cookie.",
        body: Type.Object({ token: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 200: SessionBodySchema, ...errors },
      },
      config: { access: READ },
    },
    async (request, reply): Promise<ConsoleSessionBody> => {
      checkOrigin(options.identity, request);
      options.throttle.admit(request.ip);
      if (!sameSecret(request.body.token.trim(), options.token)) {
        options.throttle.failed(request.ip);
        throw new VirError('AUTH_FAILED', 'the token does not match the one virtnetd wrote to its run directory (RUN/token)');
      }
      const session = store.create();
      reply.header('set-cookie', sessionCookie(session.id, options.identity.address.tls)).header('cache-control', 'no-store');
      return { authenticated: true, csrf: session.csrf };
    },
  );

  api.post(
    CONSOLE_ROUTES.logout,
    {
      schema: { operationId: 'consoleLogout', tags, summary: 'End the console session.', response: { 204: Type.Null(), ...errors } },
      config: { access: READ },
    },
    async (request, reply) => {
      const session = cookieSession(store, request);
      if (session) store.delete(session.id);
      return reply.code(204).header('set-cookie', clearedSessionCookie(options.identity.address.tls)).send(null);
    },
  );

  api.get(
    CONSOLE_ROUTES.host,
    {
      schema: {
        operationId: 'consoleHost',
        tags,
        summary: "The host's interfaces and routes, in the networks' namespace.",
        response: { 200: Type.Object({ interfaces: Type.Array(InterfaceSchema), routes: Type.Array(RouteSchema) }), ...errors },
      },
      config: { access: READ },
    },
    async () => options.hostInfo(),
  );

  api.post(
    CONSOLE_ROUTES.defineModel,
    {
      schema: {
        operationId: 'consoleDefineModel',
        tags,
        summary:
          'net-define of a network given as its model (a NetworkDef as JSON, as the snapshots send it), written as XML by the daemon; If-Match as for every change.',
        body: Type.Object({ def: NetworkDefSchema }, { additionalProperties: false }),
        response: { 200: NetworkInfoSchema, ...errors },
      },
      config: { access: { read: false, libvirtApi: () => 'virNetworkDefineXML' } },
    },
    async (request) => {
      let xml: string;
      try {
        xml = formatNetworkXml(request.body.def as NetworkDef, { inactive: true });
      } catch {
        throw new VirError('INVALID_ARG', 'the model is not a network definition');
      }
      // The daemon reads it back with its own parser and checks, as any net-define.
      return options.driver.define(xml, preconditionOf(request));
    },
  );

  api.post(
    CONSOLE_ROUTES.checkNetwork,
    {
      schema: {
        operationId: 'consoleCheckNetwork',
        tags,
        summary:
          'Parse and validate network XML as net-define would, without defining it: {valid, def} (the model), or {valid: false, error} with the VirError define would give. With the name of a running network, also the net-update calls that carry the edit over to it (liveOps).',
        body: Type.Object({ xml: Type.String(), name: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            error: Type.Optional(ErrorBodySchema),
            def: Type.Optional(NetworkDefSchema),
            liveOps: Type.Optional(Type.Array(UpdateBodySchema)),
          }),
          ...errors,
        },
      },
      config: { access: READ },
    },
    async (request) => {
      let def: NetworkDef;
      try {
        def = parseNetworkXml(request.body.xml);
        validateNetworkForDefine(def);
      } catch (err) {
        if (err instanceof VirError) return { valid: false, error: errorBody(err) };
        throw err;
      }
      const name = request.body.name;
      const info = name === undefined ? undefined : await options.driver.lookupByName(name).catch(() => undefined);
      if (name === undefined || !info?.active || !info.persistent) return { valid: true, def };
      const saved = parseNetworkXml(await options.driver.getXml(name, { inactive: true }));
      const live = parseNetworkXml(await options.driver.getXml(name));
      return { valid: true, def, liveOps: liveUpdatesForEdit(saved, def, live) };
    },
  );
}
