/**
 * The building blocks every REST route of virtnetd is declared with
 * (routes.ts for networks, routes-guests.ts for guests): the access class
 * for the read-only socket, the standard response maps (errors, 204, 200)
 * and the shape of a route's options, so both route tables say only what
 * differs per route.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { RouteAccess } from './access.js';
import { ErrorBodySchema, NameParamsSchema } from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whether the route changes anything (for the read-only socket); every API route sets it. */
    access?: RouteAccess;
  }
}

/** A route that changes nothing: allowed on the read-only socket. */
export const READ: RouteAccess = { read: true };

/** A route that changes something: refused on the read-only socket with the libvirt API it stands for. */
export const write = (api: string): RouteAccess => ({ read: false, libvirtApi: () => api });

/** libvirt's error body for every 4xx and 5xx answer. */
const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };

/** The responses of a route that answers 204 with no content. */
export const done = { 204: Type.Null({ description: 'Done; no content.' }), ...errors };

/** The responses of a route that answers 200 with `schema`. */
export const ok = (schema: TSchema) => ({ 200: schema, ...errors });

/** A route's options: its OpenAPI schema (operationId, tags, summary, request and response schemas) and its access class. */
export function route<S extends FastifySchema>(access: RouteAccess, schema: S): { schema: S; config: { access: RouteAccess } } {
  return { schema, config: { access } };
}

/** Answer 204 once `work` is done (its failure is the route's error answer). */
export async function noContent(reply: FastifyReply, work: Promise<unknown>): Promise<FastifyReply> {
  await work;
  return reply.code(204).send(null);
}

/**
 * The precondition a change names in its If-Match header (an ETag, quoted
 * as HTTP writes it, or bare): the version it was based on. `*` and no
 * header name none.
 */
export function preconditionOf(request: FastifyRequest): { ifMatch?: string } {
  const header = request.headers['if-match'];
  if (typeof header !== 'string') return {};
  const value = header
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  return value === '' || value === '*' ? {} : { ifMatch: value };
}

/** Set the ETag header to an object's version, when the driver keeps versions. */
export async function withEtag(reply: FastifyReply, version: (() => Promise<string>) | undefined): Promise<void> {
  if (version === undefined) return;
  reply.header('etag', `"${await version()}"`);
}

/** An app's route methods, typed by the routes' typebox schemas. */
type TypedRoutes = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** A change to what a path's `:name` names: [method, path, libvirt API (the read-only socket's refusal), operationId, summary]. */
type NameChange<Op extends string> = readonly ['post' | 'delete', string, string, Op, string];

/**
 * Register changes to what a path's `:name` names that answer 204 once
 * done, one route per row; `change` makes the change the row's operationId
 * (its driver method) names, with the request's If-Match precondition.
 */
export function registerNameChanges<Op extends string>(
  api: TypedRoutes,
  tags: string[],
  rows: readonly NameChange<Op>[],
  change: (operationId: Op, name: string, precondition: { ifMatch?: string }) => Promise<unknown>,
): void {
  for (const [method, path, libvirtApi, operationId, summary] of rows) {
    api[method](path, route(write(libvirtApi), { operationId, tags, summary, params: NameParamsSchema, response: done }), async (request, reply) =>
      noContent(reply, change(operationId, request.params.name, preconditionOf(request))),
    );
  }
}
