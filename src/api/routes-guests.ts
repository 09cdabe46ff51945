/**
 * virtnetd's guest routes: one per GuestDriverApi method (the table is
 * src/client/http-guests.ts), each with its typebox schemas, its OpenAPI
 * operationId (the driver method's name) and its access class for the
 * read-only socket: changes are refused there with the libvirt API they
 * stand for ("read only access prevents virDomainAttachDeviceFlags").
 * guest-exec runs commands as root inside a guest, so it is a change too
 * (virDomainLxcEnterNamespace: entering a container's namespaces is what it
 * does).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { GuestDriverApi } from '../driver/guest-api.js';
import { GUEST_ROUTES } from '../client/http-guests.js';
import type { RouteAccess } from './access.js';
import { ErrorBodySchema, NameParamsSchema, UuidParamsSchema, XmlResponseSchema } from './schemas.js';
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

const READ: RouteAccess = { read: true };
const write = (api: string): RouteAccess => ({ read: false, libvirtApi: () => api });

const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const done = { 204: Type.Null({ description: 'Done; no content.' }), ...errors };
const ok = (schema: TSchema) => ({ 200: schema, ...errors });

export interface GuestRouteOptions {
  driver: GuestDriverApi;
}

export function registerGuestRoutes(app: FastifyInstance, options: GuestRouteOptions): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['guests'];

  api.get(
    GUEST_ROUTES.guests,
    {
      schema: { operationId: 'guestList', tags, summary: 'List guests (virConnectListAllDomains).', querystring: GuestListQuerySchema, response: ok(GuestListSchema) },
      config: { access: READ },
    },
    async (request) => driver.guestList(request.query),
  );

  api.post(
    GUEST_ROUTES.guests,
    {
      schema: { operationId: 'guestDefine', tags, summary: 'Define or redefine a persistent guest (define).', body: GuestDefineBodySchema, response: ok(GuestInfoSchema) },
      config: { access: write('virDomainDefineXML') },
    },
    async (request) => driver.guestDefine(request.body.xml),
  );

  api.get(
    GUEST_ROUTES.guestByUuid,
    {
      schema: { operationId: 'guestLookupByUuid', tags, summary: 'Look a guest up by uuid.', params: UuidParamsSchema, response: ok(GuestInfoSchema) },
      config: { access: READ },
    },
    async (request) => driver.guestLookupByUuid(request.params.uuid),
  );

  api.get(
    GUEST_ROUTES.guest,
    {
      schema: { operationId: 'guestLookupByName', tags, summary: 'Look a guest up by name.', params: NameParamsSchema, response: ok(GuestInfoSchema) },
      config: { access: READ },
    },
    async (request) => driver.guestLookupByName(request.params.name),
  );

  api.delete(
    GUEST_ROUTES.guest,
    {
      schema: { operationId: 'guestUndefine', tags, summary: 'Undefine a guest; a running one becomes transient (undefine).', params: NameParamsSchema, response: done },
      config: { access: write('virDomainUndefine') },
    },
    async (request, reply) => {
      await driver.guestUndefine(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.post(
    GUEST_ROUTES.guestStart,
    {
      schema: { operationId: 'guestStart', tags, summary: 'Start a defined guest (start).', params: NameParamsSchema, response: done },
      config: { access: write('virDomainCreate') },
    },
    async (request, reply) => {
      await driver.guestStart(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.post(
    GUEST_ROUTES.guestDestroy,
    {
      schema: { operationId: 'guestDestroy', tags, summary: 'Stop a guest and remove its devices; a transient one vanishes (destroy).', params: NameParamsSchema, response: done },
      config: { access: write('virDomainDestroy') },
    },
    async (request, reply) => {
      await driver.guestDestroy(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.get(
    GUEST_ROUTES.guestXml,
    {
      schema: { operationId: 'guestGetXml', tags, summary: "A guest's XML (dumpxml).", params: NameParamsSchema, querystring: InactiveQuerySchema, response: ok(XmlResponseSchema) },
      config: { access: READ },
    },
    async (request) => ({ xml: await driver.guestGetXml(request.params.name, { inactive: request.query.inactive === true }) }),
  );

  api.get(
    GUEST_ROUTES.guestInterfaces,
    {
      schema: { operationId: 'guestInterfaces', tags, summary: "A guest's vNICs (domiflist).", params: NameParamsSchema, querystring: InactiveQuerySchema, response: ok(GuestInterfaceListSchema) },
      config: { access: READ },
    },
    async (request) => driver.guestInterfaces(request.params.name, { inactive: request.query.inactive === true }),
  );

  api.get(
    GUEST_ROUTES.guestAddresses,
    {
      schema: { operationId: 'guestInterfaceAddresses', tags, summary: "A running guest's addresses from its networks' leases (domifaddr).", params: NameParamsSchema, response: ok(GuestInterfaceAddressListSchema) },
      config: { access: READ },
    },
    async (request) => driver.guestInterfaceAddresses(request.params.name),
  );

  api.post(
    GUEST_ROUTES.guestAttach,
    {
      schema: { operationId: 'guestAttachDevice', tags, summary: 'Attach one <interface> (attach-interface, attach-device).', params: NameParamsSchema, body: DeviceBodySchema, response: done },
      config: { access: write('virDomainAttachDeviceFlags') },
    },
    async (request, reply) => {
      await driver.guestAttachDevice(request.params.name, request.body.xml, request.body.flags);
      return reply.code(204).send(null);
    },
  );

  api.post(
    GUEST_ROUTES.guestDetach,
    {
      schema: { operationId: 'guestDetachDevice', tags, summary: 'Detach one <interface> (detach-interface, detach-device).', params: NameParamsSchema, body: DeviceBodySchema, response: done },
      config: { access: write('virDomainDetachDeviceFlags') },
    },
    async (request, reply) => {
      await driver.guestDetachDevice(request.params.name, request.body.xml, request.body.flags);
      return reply.code(204).send(null);
    },
  );

  api.post(
    GUEST_ROUTES.guestExec,
    {
      schema: { operationId: 'guestExec', tags, summary: 'Run a command inside a running netns guest (guest-exec).', params: NameParamsSchema, body: ExecBodySchema, response: ok(GuestExecResultSchema) },
      config: { access: write('virDomainLxcEnterNamespace') },
    },
    async (request) => driver.guestExec(request.params.name, request.body.argv),
  );

  api.get(
    GUEST_ROUTES.bridges,
    {
      schema: { operationId: 'bridgePorts', tags: ['bridges'], summary: "The bridges of the daemon's namespace and their ports (bridge-show).", querystring: BridgeQuerySchema, response: ok(BridgePortsListSchema) },
      config: { access: READ },
    },
    async (request) => driver.bridgePorts(request.query.bridge),
  );
}
