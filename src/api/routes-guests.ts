/**
 * virtnetd's guest routes: one per GuestDriverApi method (the table is
 * src/client/http-guests.ts), each with its typebox schemas, its OpenAPI
 * operationId (the driver method's name) and its access class for the
 * read-only socket: changes are refused there with the libvirt API they
 * stand for ("read only access prevents virDomainAttachDeviceFlags").
 * guest-exec runs commands as root inside a guest, so it is a change too
 * (virDomainLxcEnterNamespace: entering a container's namespaces is what it
 * does). The building blocks are route-spec.ts's, shared with routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { GuestDriverApi } from '../contract/guest-api.js';
import { GUEST_ROUTES } from '../client/http-guests.js';
import { READ, done, noContent, ok, registerNameChanges, route, write, preconditionOf, withEtag } from './route-spec.js';
import { NameParamsSchema, UuidParamsSchema, XmlResponseSchema } from './schemas.js';
import {
  BridgePortsListSchema,
  BridgeQuerySchema,
  DeviceBodySchema,
  ExecBodySchema,
  GuestDefineBodySchema,
  GuestExecResultSchema,
  GuestInfoSchema,
  GuestInterfaceAddressListSchema,
  GuestInterfaceListSchema,
  GuestListQuerySchema,
  GuestListSchema,
  InactiveQuerySchema,
} from './schemas-guests.js';

interface GuestRouteOptions {
  driver: GuestDriverApi;
}

export function registerGuestRoutes(app: FastifyInstance, options: GuestRouteOptions): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['guests'];
  const version = driver.guestVersionOf?.bind(driver);
  const versionOf = (name: string): (() => Promise<string>) | undefined => (version ? () => version(name) : undefined);

  api.get(
    GUEST_ROUTES.guests,
    route(READ, {
      operationId: 'guestList',
      tags,
      summary: 'List guests (virConnectListAllDomains).',
      querystring: GuestListQuerySchema,
      response: ok(GuestListSchema),
    }),
    async (request) => driver.guestList(request.query),
  );

  api.post(
    GUEST_ROUTES.guests,
    route(write('virDomainDefineXML'), {
      operationId: 'guestDefine',
      tags,
      summary: 'Define or redefine a persistent guest (define).',
      body: GuestDefineBodySchema,
      response: ok(GuestInfoSchema),
    }),
    async (request) => driver.guestDefine(request.body.xml, preconditionOf(request)),
  );

  api.get(
    GUEST_ROUTES.guestByUuid,
    route(READ, {
      operationId: 'guestLookupByUuid',
      tags,
      summary: 'Look a guest up by uuid.',
      params: UuidParamsSchema,
      response: ok(GuestInfoSchema),
    }),
    async (request) => driver.guestLookupByUuid(request.params.uuid),
  );

  api.get(
    GUEST_ROUTES.guest,
    route(READ, {
      operationId: 'guestLookupByName',
      tags,
      summary: "Look a guest up by name; the ETag header is the guest's version (If-Match on changes).",
      params: NameParamsSchema,
      response: ok(GuestInfoSchema),
    }),
    async (request, reply) => {
      const info = await driver.guestLookupByName(request.params.name);
      await withEtag(reply, versionOf(info.name));
      return info;
    },
  );

  registerNameChanges(
    api,
    tags,
    [
      ['delete', GUEST_ROUTES.guest, 'virDomainUndefine', 'guestUndefine', 'Undefine a guest; a running one becomes transient (undefine).'],
      ['post', GUEST_ROUTES.guestStart, 'virDomainCreate', 'guestStart', 'Start a defined guest (start).'],
      [
        'post',
        GUEST_ROUTES.guestDestroy,
        'virDomainDestroy',
        'guestDestroy',
        'Stop a guest and remove its devices; a transient one vanishes (destroy).',
      ],
    ],
    (operationId, name, precondition) => driver[operationId](name, precondition),
  );

  api.get(
    GUEST_ROUTES.guestXml,
    route(READ, {
      operationId: 'guestGetXml',
      tags,
      summary: "A guest's XML (dumpxml).",
      params: NameParamsSchema,
      querystring: InactiveQuerySchema,
      response: ok(XmlResponseSchema),
    }),
    async (request, reply) => {
      await withEtag(reply, versionOf(request.params.name));
      return { xml: await driver.guestGetXml(request.params.name, { inactive: request.query.inactive === true }) };
    },
  );

  api.get(
    GUEST_ROUTES.guestInterfaces,
    route(READ, {
      operationId: 'guestInterfaces',
      tags,
      summary: "A guest's vNICs (domiflist).",
      params: NameParamsSchema,
      querystring: InactiveQuerySchema,
      response: ok(GuestInterfaceListSchema),
    }),
    async (request) => driver.guestInterfaces(request.params.name, { inactive: request.query.inactive === true }),
  );

  api.get(
    GUEST_ROUTES.guestAddresses,
    route(READ, {
      operationId: 'guestInterfaceAddresses',
      tags,
      summary: "A running guest's addresses from its networks' leases (domifaddr).",
      params: NameParamsSchema,
      response: ok(GuestInterfaceAddressListSchema),
    }),
    async (request) => driver.guestInterfaceAddresses(request.params.name),
  );

  // attach and detach: one <interface>, the same request either way.
  for (const [path, libvirtApi, operationId, summary] of [
    [GUEST_ROUTES.guestAttach, 'virDomainAttachDeviceFlags', 'guestAttachDevice', 'Attach one <interface> (attach-interface, attach-device).'],
    [GUEST_ROUTES.guestDetach, 'virDomainDetachDeviceFlags', 'guestDetachDevice', 'Detach one <interface> (detach-interface, detach-device).'],
  ] as const) {
    api.post(
      path,
      route(write(libvirtApi), { operationId, tags, summary, params: NameParamsSchema, body: DeviceBodySchema, response: done }),
      async (request, reply) =>
        noContent(reply, driver[operationId](request.params.name, request.body.xml, request.body.flags, preconditionOf(request))),
    );
  }

  api.post(
    GUEST_ROUTES.guestExec,
    route(write('virDomainLxcEnterNamespace'), {
      operationId: 'guestExec',
      tags,
      summary: 'Run a command inside a running netns guest (guest-exec).',
      params: NameParamsSchema,
      body: ExecBodySchema,
      response: ok(GuestExecResultSchema),
    }),
    async (request) => driver.guestExec(request.params.name, request.body.argv),
  );

  api.get(
    GUEST_ROUTES.bridges,
    route(READ, {
      operationId: 'bridgePorts',
      tags: ['bridges'],
      summary: "The bridges of the daemon's namespace and their ports (bridge-show).",
      querystring: BridgeQuerySchema,
      response: ok(BridgePortsListSchema),
    }),
    async (request) => driver.bridgePorts(request.query.bridge),
  );
}
