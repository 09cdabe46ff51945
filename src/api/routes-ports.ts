/**
 * virtnetd's network port routes (libvirt's virNetworkPort*; the table is
 * src/client/http-ports.ts), each with its schemas, its OpenAPI operationId
 * (the driver method's name) and its access class: creating and deleting a
 * port are changes, refused on the read-only socket with the libvirt API
 * they stand for.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { NetworkPortApi } from '../contract/network-port-api.js';
import { PORT_ROUTES } from '../client/http-ports.js';
import { READ, done, noContent, ok, route, write } from './route-spec.js';
import { NameParamsSchema, XmlResponseSchema } from './schemas.js';
import { NetworkPortListSchema, NetworkPortSchema, PortCreateBodySchema, PortParamsSchema } from './schemas-ports.js';

export function registerPortRoutes(app: FastifyInstance, options: { driver: NetworkPortApi }): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['ports'];

  api.get(
    PORT_ROUTES.ports,
    route(READ, {
      operationId: 'portList',
      tags,
      summary: "A running network's ports, by uuid (net-port-list).",
      params: NameParamsSchema,
      response: ok(NetworkPortListSchema),
    }),
    async (request) => driver.portList(request.params.name),
  );

  api.post(
    PORT_ROUTES.ports,
    route(write('virNetworkPortCreateXML'), {
      operationId: 'portCreate',
      tags,
      summary: 'Create a port from a <networkport> document (net-port-create).',
      params: NameParamsSchema,
      body: PortCreateBodySchema,
      response: ok(NetworkPortSchema),
    }),
    async (request) => driver.portCreate(request.params.name, request.body.xml, request.body.reclaim === true ? { reclaim: true } : {}),
  );

  api.get(
    PORT_ROUTES.port,
    route(READ, { operationId: 'portLookup', tags, summary: 'Look a port up by uuid.', params: PortParamsSchema, response: ok(NetworkPortSchema) }),
    async (request) => driver.portLookup(request.params.name, request.params.uuid),
  );

  api.get(
    PORT_ROUTES.portXml,
    route(READ, {
      operationId: 'portGetXml',
      tags,
      summary: "A port's <networkport> document (net-port-dumpxml).",
      params: PortParamsSchema,
      response: ok(XmlResponseSchema),
    }),
    async (request) => ({ xml: await driver.portGetXml(request.params.name, request.params.uuid) }),
  );

  api.delete(
    PORT_ROUTES.port,
    route(write('virNetworkPortDelete'), {
      operationId: 'portDelete',
      tags,
      summary: 'Delete a port (net-port-delete).',
      params: PortParamsSchema,
      response: done,
    }),
    async (request, reply) => noContent(reply, driver.portDelete(request.params.name, request.params.uuid)),
  );
}
