/**
 * The REST routes of virtnetd: one per NetworkDriverApi method (the route
 * table is src/client/http-routes.ts), each with its typebox schemas, its
 * OpenAPI operationId (the driver method's name) and its access class for
 * the read-only socket (the libvirt API name virsh -r is refused with).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { NetworkDriverApi } from '../driver/api.js';
import { ROUTES } from '../client/http-routes.js';
import type { RouteAccess } from './access.js';
import { ForceQuerySchema } from './schemas-guests.js';
import {
  AutostartBodySchema,
  DefineBodySchema,
  ErrorBodySchema,
  LeaseListSchema,
  LeasesQuerySchema,
  ListQuerySchema,
  NameParamsSchema,
  NetworkInfoSchema,
  NetworkListSchema,
  UpdateBodySchema,
  UpdateResultSchema,
  UuidParamsSchema,
  VersionSchema,
  XmlQuerySchema,
  XmlResponseSchema,
} from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whether the route changes anything (for the read-only socket); every API route sets it. */
    access?: RouteAccess;
  }
}

const READ: RouteAccess = { read: true };
const write = (api: string): RouteAccess => ({ read: false, libvirtApi: () => api });
/** define/create: the Flags variant of the libvirt API when --validate is given, as virsh calls it. */
const writeXml = (api: string): RouteAccess => ({
  read: false,
  libvirtApi: (request: FastifyRequest) => {
    const body = request.body as { validate?: unknown } | undefined;
    return body && typeof body === 'object' && body.validate === true ? `${api}Flags` : api;
  },
});

const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const done = { 204: Type.Null({ description: 'Done; no content.' }), ...errors };
const ok = (schema: TSchema) => ({ 200: schema, ...errors });

export interface RouteOptions {
  driver: NetworkDriverApi;
  version: string;
  isReadonly: (request: FastifyRequest) => boolean;
}

export function registerNetworkRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['networks'];

  api.get(
    ROUTES.version,
    {
      schema: { operationId: 'version', tags: ['daemon'], summary: "The daemon's name and version, and whether this connection is read-only.", response: ok(VersionSchema) },
      config: { access: READ },
    },
    async (request) => ({ name: 'virtnetd' as const, version: options.version, readonly: options.isReadonly(request) }),
  );

  api.get(
    ROUTES.networks,
    {
      schema: { operationId: 'list', tags, summary: 'List networks (virConnectListAllNetworks).', querystring: ListQuerySchema, response: ok(NetworkListSchema) },
      config: { access: READ },
    },
    async (request) => driver.list(request.query),
  );

  api.post(
    ROUTES.networks,
    {
      schema: { operationId: 'define', tags, summary: 'Define or redefine a persistent network (net-define).', body: DefineBodySchema, response: ok(NetworkInfoSchema) },
      config: { access: writeXml('virNetworkDefineXML') },
    },
    async (request) => driver.define(request.body.xml, { validate: request.body.validate === true }),
  );

  api.post(
    ROUTES.create,
    {
      schema: { operationId: 'create', tags, summary: 'Create and start a transient network (net-create).', body: DefineBodySchema, response: ok(NetworkInfoSchema) },
      config: { access: writeXml('virNetworkCreateXML') },
    },
    async (request) => driver.create(request.body.xml, { validate: request.body.validate === true }),
  );

  api.get(
    ROUTES.byUuid,
    {
      schema: { operationId: 'lookupByUuid', tags, summary: 'Look a network up by uuid.', params: UuidParamsSchema, response: ok(NetworkInfoSchema) },
      config: { access: READ },
    },
    async (request) => driver.lookupByUuid(request.params.uuid),
  );

  api.get(
    ROUTES.network,
    {
      schema: { operationId: 'lookupByName', tags, summary: 'Look a network up by name.', params: NameParamsSchema, response: ok(NetworkInfoSchema) },
      config: { access: READ },
    },
    async (request) => driver.lookupByName(request.params.name),
  );

  api.delete(
    ROUTES.network,
    {
      schema: { operationId: 'undefine', tags, summary: 'Undefine a network; a running one becomes transient (net-undefine).', params: NameParamsSchema, querystring: ForceQuerySchema, response: done },
      config: { access: write('virNetworkUndefine') },
    },
    async (request, reply) => {
      if (request.query.force === true) await driver.undefine(request.params.name, { force: true });
      else await driver.undefine(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.post(
    ROUTES.start,
    {
      schema: { operationId: 'start', tags, summary: 'Start a defined network (net-start).', params: NameParamsSchema, response: done },
      config: { access: write('virNetworkCreate') },
    },
    async (request, reply) => {
      await driver.start(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.post(
    ROUTES.destroy,
    {
      schema: { operationId: 'destroy', tags, summary: 'Stop a network; a transient one vanishes (net-destroy).', params: NameParamsSchema, querystring: ForceQuerySchema, response: done },
      config: { access: write('virNetworkDestroy') },
    },
    async (request, reply) => {
      if (request.query.force === true) await driver.destroy(request.params.name, { force: true });
      else await driver.destroy(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.put(
    ROUTES.autostart,
    {
      schema: { operationId: 'setAutostart', tags, summary: 'Mark or unmark a network as autostarted (net-autostart).', params: NameParamsSchema, body: AutostartBodySchema, response: done },
      config: { access: write('virNetworkSetAutostart') },
    },
    async (request, reply) => {
      await driver.setAutostart(request.params.name, request.body.autostart);
      return reply.code(204).send(null);
    },
  );

  api.get(
    ROUTES.xml,
    {
      schema: { operationId: 'getXml', tags, summary: "A network's XML (net-dumpxml).", params: NameParamsSchema, querystring: XmlQuerySchema, response: ok(XmlResponseSchema) },
      config: { access: READ },
    },
    async (request) => ({ xml: await driver.getXml(request.params.name, { inactive: request.query.inactive === true }) }),
  );

  api.post(
    ROUTES.update,
    {
      schema: { operationId: 'update', tags, summary: 'Change one section of a network (net-update).', params: NameParamsSchema, body: UpdateBodySchema, response: ok(UpdateResultSchema) },
      config: { access: write('virNetworkUpdate') },
    },
    async (request) => driver.update(request.params.name, request.body),
  );

  api.get(
    ROUTES.leases,
    {
      schema: { operationId: 'leases', tags, summary: "A network's DHCP leases (net-dhcp-leases).", params: NameParamsSchema, querystring: LeasesQuerySchema, response: ok(LeaseListSchema) },
      config: { access: READ },
    },
    async (request) => driver.leases(request.params.name, request.query.mac),
  );
}
