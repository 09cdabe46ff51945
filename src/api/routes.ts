/**
 * The REST routes of virtnetd: one per NetworkDriverApi method (the route
 * table is src/client/http-routes.ts), each with its typebox schemas, its
 * OpenAPI operationId (the driver method's name) and its access class for
 * the read-only socket (the libvirt API name virsh -r is refused with);
 * the building blocks are route-spec.ts's, shared with routes-guests.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { NetworkDriverApi } from '../contract/network-api.js';
import { ROUTES } from '../client/http-routes.js';
import type { RouteAccess } from './access.js';
import { READ, done, noContent, ok, preconditionOf, route, withEtag, write } from './route-spec.js';
import { ForceQuerySchema } from './schemas-guests.js';
import {
  AddForwardBodySchema,
  AutostartBodySchema,
  DefineBodySchema,
  DryRunBodySchema,
  ForwardListQuerySchema,
  HostChangesSchema,
  LeaseListSchema,
  LeasesQuerySchema,
  ListQuerySchema,
  NameParamsSchema,
  NetworkInfoSchema,
  NetworkListSchema,
  PortForwardListSchema,
  RemoveForwardQuerySchema,
  UpdateBodySchema,
  UpdateResultSchema,
  UuidParamsSchema,
  VersionSchema,
  XmlQuerySchema,
  XmlResponseSchema,
} from './schemas.js';

/** define/create: the Flags variant of the libvirt API when --validate is given, as virsh calls it. */
const writeXml = (api: string): RouteAccess => ({
  read: false,
  libvirtApi: (request: FastifyRequest) => {
    const body = request.body as { validate?: unknown } | undefined;
    return body && typeof body === 'object' && body.validate === true ? `${api}Flags` : api;
  },
});

interface RouteOptions {
  driver: NetworkDriverApi;
  version: string;
  isReadonly: (request: FastifyRequest) => boolean;
  /** The URI libvirt clients use for this daemon, when it serves them. */
  libvirtUri?: string;
}

export function registerNetworkRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['networks'];
  const version = driver.versionOf?.bind(driver);
  const versionOf = (name: string): (() => Promise<string>) | undefined => (version ? () => version(name) : undefined);

  api.get(
    ROUTES.version,
    route(READ, {
      operationId: 'version',
      tags: ['daemon'],
      summary: "The daemon's name and version, and whether this connection is read-only.",
      response: ok(VersionSchema),
    }),
    async (request) => ({
      name: 'virtnetd' as const,
      version: options.version,
      readonly: options.isReadonly(request),
      ...(options.libvirtUri !== undefined ? { libvirtUri: options.libvirtUri } : {}),
    }),
  );

  api.get(
    ROUTES.networks,
    route(READ, {
      operationId: 'list',
      tags,
      summary: 'List networks (virConnectListAllNetworks).',
      querystring: ListQuerySchema,
      response: ok(NetworkListSchema),
    }),
    async (request) => driver.list(request.query),
  );

  api.post(
    ROUTES.networks,
    route(writeXml('virNetworkDefineXML'), {
      operationId: 'define',
      tags,
      summary: 'Define or redefine a persistent network (net-define).',
      body: DefineBodySchema,
      response: ok(NetworkInfoSchema),
    }),
    async (request) => driver.define(request.body.xml, { validate: request.body.validate === true, ...preconditionOf(request) }),
  );

  api.post(
    ROUTES.create,
    route(writeXml('virNetworkCreateXML'), {
      operationId: 'create',
      tags,
      summary: 'Create and start a transient network (net-create).',
      body: DefineBodySchema,
      response: ok(NetworkInfoSchema),
    }),
    async (request) => driver.create(request.body.xml, { validate: request.body.validate === true, ...preconditionOf(request) }),
  );

  api.get(
    ROUTES.byUuid,
    route(READ, {
      operationId: 'lookupByUuid',
      tags,
      summary: 'Look a network up by uuid.',
      params: UuidParamsSchema,
      response: ok(NetworkInfoSchema),
    }),
    async (request) => driver.lookupByUuid(request.params.uuid),
  );

  api.get(
    ROUTES.network,
    route(READ, {
      operationId: 'lookupByName',
      tags,
      summary: "Look a network up by name; the ETag header is the network's version (If-Match on changes).",
      params: NameParamsSchema,
      response: ok(NetworkInfoSchema),
    }),
    async (request, reply) => {
      const info = await driver.lookupByName(request.params.name);
      await withEtag(reply, versionOf(info.name));
      return info;
    },
  );

  api.delete(
    ROUTES.network,
    route(write('virNetworkUndefine'), {
      operationId: 'undefine',
      tags,
      summary: 'Undefine a network; a running one becomes transient (net-undefine).',
      params: NameParamsSchema,
      querystring: ForceQuerySchema,
      response: done,
    }),
    async (request, reply) =>
      noContent(
        reply,
        driver.undefine(request.params.name, { ...(request.query.force === true ? { force: true } : {}), ...preconditionOf(request) }),
      ),
  );

  api.post(
    ROUTES.start,
    route(write('virNetworkCreate'), {
      operationId: 'start',
      tags,
      summary: 'Start a defined network (net-start).',
      params: NameParamsSchema,
      response: done,
    }),
    async (request, reply) => noContent(reply, driver.start(request.params.name, preconditionOf(request))),
  );

  api.post(
    ROUTES.destroy,
    route(write('virNetworkDestroy'), {
      operationId: 'destroy',
      tags,
      summary: 'Stop a network; a transient one vanishes (net-destroy).',
      params: NameParamsSchema,
      querystring: ForceQuerySchema,
      response: done,
    }),
    async (request, reply) =>
      noContent(reply, driver.destroy(request.params.name, { ...(request.query.force === true ? { force: true } : {}), ...preconditionOf(request) })),
  );

  api.put(
    ROUTES.autostart,
    route(write('virNetworkSetAutostart'), {
      operationId: 'setAutostart',
      tags,
      summary: 'Mark or unmark a network as autostarted (net-autostart).',
      params: NameParamsSchema,
      body: AutostartBodySchema,
      response: done,
    }),
    async (request, reply) => noContent(reply, driver.setAutostart(request.params.name, request.body.autostart, preconditionOf(request))),
  );

  api.get(
    ROUTES.xml,
    route(READ, {
      operationId: 'getXml',
      tags,
      summary: "A network's XML (net-dumpxml).",
      params: NameParamsSchema,
      querystring: XmlQuerySchema,
      response: ok(XmlResponseSchema),
    }),
    async (request, reply) => {
      // The version first: a change in between makes the XML newer than the ETag, so a change based on both is refused, never lost.
      await withEtag(reply, versionOf(request.params.name));
      return { xml: await driver.getXml(request.params.name, { inactive: request.query.inactive === true }) };
    },
  );

  api.post(
    ROUTES.update,
    route(write('virNetworkUpdate'), {
      operationId: 'update',
      tags,
      summary: 'Change one section of a network (net-update).',
      params: NameParamsSchema,
      body: UpdateBodySchema,
      response: ok(UpdateResultSchema),
    }),
    async (request) => driver.update(request.params.name, request.body, preconditionOf(request)),
  );

  api.get(
    ROUTES.forwards,
    route(READ, {
      operationId: 'listForwards',
      tags,
      summary: "A NAT network's port forwards (net-forward-list); live ones carry where a guest's name points now.",
      params: NameParamsSchema,
      querystring: ForwardListQuerySchema,
      response: ok(PortForwardListSchema),
    }),
    async (request) => driver.listForwards(request.params.name, request.query),
  );

  api.post(
    ROUTES.forwards,
    route(write('virNetworkUpdate'), {
      operationId: 'addForward',
      tags,
      summary: 'Add a port forward to a NAT network (net-forward-add); If-Match as every change.',
      params: NameParamsSchema,
      body: AddForwardBodySchema,
      response: ok(UpdateResultSchema),
    }),
    async (request) => driver.addForward(request.params.name, request.body.forward, request.body.flags ?? {}, preconditionOf(request)),
  );

  api.delete(
    ROUTES.forwards,
    route(write('virNetworkUpdate'), {
      operationId: 'removeForward',
      tags,
      summary: 'Remove the port forwards a port (and protocol and address) name (net-forward-remove).',
      params: NameParamsSchema,
      querystring: RemoveForwardQuerySchema,
      response: ok(UpdateResultSchema),
    }),
    async (request) => {
      const { live, config, ...selector } = request.query;
      const flags = { ...(live === true ? { live } : {}), ...(config === true ? { config } : {}) };
      return driver.removeForward(request.params.name, selector, flags, preconditionOf(request));
    },
  );

  api.post(
    ROUTES.dryRun,
    route(write('virNetworkCreate'), {
      operationId: 'dryRun',
      tags,
      summary:
        'What net-start, net-create or net-update would change on the host (links, sysctls, nftables checked with nft -c, dnsmasq), changing nothing.',
      body: DryRunBodySchema,
      response: ok(HostChangesSchema),
    }),
    async (request) => driver.dryRun(request.body),
  );

  api.get(
    ROUTES.leases,
    route(READ, {
      operationId: 'leases',
      tags,
      summary: "A network's DHCP leases (net-dhcp-leases).",
      params: NameParamsSchema,
      querystring: LeasesQuerySchema,
      response: ok(LeaseListSchema),
    }),
    async (request) => driver.leases(request.params.name, request.query.mac),
  );
}
