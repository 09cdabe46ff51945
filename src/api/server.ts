/**
 * One virtnetd HTTP server (a fastify instance) for one listener: the
 * read-write unix socket, the read-only one, or TCP. All of them serve the
 * same driver; they differ only in their access policy (src/api/access.ts).
 * Tests build one with `createApiServer` and call it through `inject()`.
 *
 * Order of checks for every request: authentication (TCP token) before the
 * body is even read; then the read-only check (before validation, so a
 * refused change is refused whatever its body); then schema validation;
 * then the driver. Every failure leaves as a VirError body (src/api/http-errors.ts).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { NetworkDriverApi } from '../contract/network-api.js';
import { VirError } from '../util/errors.js';
import { DAEMON_HEADER, ROUTES } from '../client/http-routes.js';
import { authenticate, authorize, isReadonly, type ListenerAccess } from './access.js';
import { AuthThrottle } from './auth-throttle.js';
import { registerEventStream } from './events.js';
import { MAX_PARAM_LENGTH, errorBody, makeErrorHandler } from './http-errors.js';
import { registerNetworkRoutes } from './routes.js';
import { registerGuestRoutes } from './routes-guests.js';
import { registerPortRoutes } from './routes-ports.js';
import { hasPortApi } from '../contract/network-port-api.js';
import { hasDoctorApi } from '../contract/doctor-api.js';
import { registerDoctorRoutes } from './routes-doctor.js';
import { hasTrafficApi } from '../contract/traffic-api.js';
import { registerTrafficRoutes } from './routes-traffic.js';
import { hasGuestApi } from '../driver/guest/index.js';
import { setupConsole } from './console-setup.js';
import { serializerCompiler } from './serialization.js';
import { validatorCompiler } from './validation.js';

/** Request bodies above this size are refused (413). Network XML is far smaller; libvirt's RPC caps strings at 4 MiB. */
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

interface ApiServerOptions {
  driver: NetworkDriverApi;
  access: ListenerAccess;
  version: string;
  /** pino (or any fastify-compatible) logger; silent when omitted. */
  logger?: FastifyBaseLogger;
  bodyLimit?: number;
  /** Interval of the event stream's keep-alive comments. */
  heartbeatMs?: number;
  /** The namespace networks live in (the web console reads host interfaces and routes there). */
  netns?: string | null;
  /** This host's Open vSwitch database (--ovs-db): the console's OVN hosts are read through it. */
  ovsDb?: string;
  /** The OVN southbound database as the daemon reaches it, when Open vSwitch's ovn-remote is not. */
  ovnSouthbound?: string;
  /** The console's sessions on a TCP listener: the sealing key and the file of ended sessions (console-session.ts); in memory when absent. */
  consoleSessions?: { key: string; file: string };
  /** The URI libvirt clients use for this daemon, when it serves them (answered by the version route). */
  libvirtUri?: string;
  /** Serve HTTPS with this key and certificate (PEM); TCP listeners only. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Told of each request taken (the idle collector's sign of work, api/idle-gc.ts). */
  onRequest?: () => void;
}

/** fastify's compiler builders, answering ours (its types name Ajv's builders; fastify only calls them). */
const OWN_COMPILERS = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler,
} as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const errorHandler = makeErrorHandler(bodyLimit);
  // With TLS, fastify's server is an https.Server; admitted sockets (connection-gate.ts) get their TLS handshake there.
  const app = Fastify({
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit,
    // libvirt network names may be long; the driver, not the router, says whether one exists.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a path parameter too long, a path that is not UTF-8) are VirErrors too.
    frameworkErrors: (err, request, reply) => errorHandler(err, request, reply),
    // One line per request, from the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Our own compilers from the start, so fastify never loads its default ones (Ajv's compiler and its formats).
    schemaController: { compilersFactory: OWN_COMPILERS },
  }) as unknown as FastifyInstance;
  // Every TCP listener counts its failed tokens (auth-throttle.ts); the console's login shares the count.
  const given: ListenerAccess =
    options.access.kind === 'tcp' ? { ...options.access, throttle: options.access.throttle ?? new AuthThrottle() } : options.access;
  // A TCP listener also serves the web console, whose cookie session is a second way in (console-setup.ts).
  const webConsole = setupConsole(given, {
    netns: options.netns ?? null,
    ...(options.ovsDb ? { ovsDb: options.ovsDb } : {}),
    ...(options.ovnSouthbound ? { ovnSouthbound: options.ovnSouthbound } : {}),
    ...(options.consoleSessions ? { sessions: options.consoleSessions } : {}),
  });
  const access = webConsole?.access ?? given;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Bodies are JSON only: anything else is refused with 415 rather than read as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const err = new VirError('NO_SUPPORT', `virtnetd has no route ${request.method} ${request.url.split('?')[0]}`);
    void reply.code(404).send(errorBody(err));
  });

  const onRequest = options.onRequest;
  app.addHook('onRequest', async (request, reply) => {
    onRequest?.();
    authenticate(access, request);
    void reply.header(DAEMON_HEADER, options.version);
  });
  app.addHook('preValidation', async (request) => {
    const route = request.routeOptions.config.access;
    if (route) authorize(access, route, request);
  });
  // One line per request, at debug level: a person at a terminal sees what matters, not every call.
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'virtnetd',
        version: options.version,
        description: "libvirt's virtual networking as a REST API. Errors carry libvirt's error class and text: {class, detail, message}.",
      },
      components: {
        securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'The token in RUN/token; required on TCP only.' } },
      },
    },
  });

  registerNetworkRoutes(app, {
    driver: options.driver,
    version: options.version,
    isReadonly: (r) => isReadonly(access, r),
    ...(options.libvirtUri !== undefined ? { libvirtUri: options.libvirtUri } : {}),
  });
  // A driver that also serves guests (src/driver/guest/index.ts) gets the guest routes.
  if (hasGuestApi(options.driver)) registerGuestRoutes(app, { driver: options.driver });
  if (hasPortApi(options.driver)) registerPortRoutes(app, { driver: options.driver });
  if (hasDoctorApi(options.driver)) registerDoctorRoutes(app, { driver: options.driver });
  if (hasTrafficApi(options.driver)) registerTrafficRoutes(app, { driver: options.driver });
  registerEventStream(app, { driver: options.driver, ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}) });

  webConsole?.register(app, options.driver);

  app.get(ROUTES.openapi, { schema: { hide: true }, config: { access: { read: true } } }, async () => app.swagger());

  await app.ready();
  return app;
}
